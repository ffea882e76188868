import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAdminToken } from './admin-token';

describe('ensureAdminToken', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 32-byte base64url token readable by the owner only, and reuses it after', async () => {
    const token = await ensureAdminToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(statSync(join(dir, 'admin.token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'admin.token'), 'utf8').trim()).toBe(token);
    expect(await ensureAdminToken(dir)).toBe(token);
  });
});
