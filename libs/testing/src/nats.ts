import { randomBytes } from 'node:crypto';

export const testNatsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A subject/stream prefix of its own for each test file, so files never see each other's messages. */
export function uniqueNatsPrefix(label = 't'): string {
  return `${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}${randomBytes(4).toString('hex')}`;
}
