import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalUsers } from './local-users';

describe('ensureLocalUsers', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'local-users-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const users = () => JSON.parse(readFileSync(join(dir, 'users.json'), 'utf8')).users;
  const token = (name: string) => readFileSync(join(dir, 'user-tokens', `${name}.token`), 'utf8').trim();

  it('makes developer and viewer tokens (0600) and stores only their SHA-256', () => {
    ensureLocalUsers(dir);
    expect(users()).toEqual([
      { name: 'developer', groups: ['developers'], tokenSha256: createHash('sha256').update(token('developer')).digest('hex') },
      { name: 'viewer', groups: ['viewers'], tokenSha256: createHash('sha256').update(token('viewer')).digest('hex') },
    ]);
    expect(statSync(join(dir, 'user-tokens', 'developer.token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'users.json'), 'utf8')).not.toContain(token('developer'));
  });

  it('keeps tokens across starts and the other users of the file', () => {
    ensureLocalUsers(dir);
    const first = token('developer');
    const doc = JSON.parse(readFileSync(join(dir, 'users.json'), 'utf8'));
    doc.users.push({ name: 'ops', groups: [], tokenSha256: 'b'.repeat(64) });
    writeFileSync(join(dir, 'users.json'), JSON.stringify(doc));
    ensureLocalUsers(dir);
    expect(token('developer')).toBe(first);
    expect(users().map((u: any) => u.name)).toEqual(['developer', 'viewer', 'ops']);
  });
});
