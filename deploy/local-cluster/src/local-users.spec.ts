import { createHash, scryptSync } from 'node:crypto';
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
  const password = (name: string) => readFileSync(join(dir, 'user-passwords', `${name}.password`), 'utf8').trim();
  /** Checks a users.json hash as the gateway does: scrypt with the stored parameters and salt. */
  const hashOf = (stored: string, pw: string) => {
    const [alg, N, r, p, salt, hash] = stored.split('$');
    expect([alg, N, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    return scryptSync(pw, Buffer.from(salt, 'base64'), 64, { N: Number(N), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 }).toString('base64') === hash;
  };

  it('makes developer and viewer tokens and passwords (0600) and stores only their SHA-256 and scrypt hash', () => {
    ensureLocalUsers(dir);
    expect(users()).toEqual([
      { name: 'developer', groups: ['developers'], tokenSha256: createHash('sha256').update(token('developer')).digest('hex'), passwordHash: expect.any(String) },
      { name: 'viewer', groups: ['viewers'], tokenSha256: createHash('sha256').update(token('viewer')).digest('hex'), passwordHash: expect.any(String) },
    ]);
    expect(hashOf(users()[0].passwordHash, password('developer'))).toBe(true);
    expect(hashOf(users()[0].passwordHash, password('viewer'))).toBe(false);
    expect(hashOf(users()[1].passwordHash, password('viewer'))).toBe(true);
    expect(statSync(join(dir, 'user-passwords', 'viewer.password')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'users.json'), 'utf8')).not.toContain(password('developer'));
    expect(statSync(join(dir, 'user-tokens', 'developer.token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'users.json'), 'utf8')).not.toContain(token('developer'));
  });

  it('keeps tokens across starts and the other users of the file', () => {
    ensureLocalUsers(dir);
    const first = token('developer');
    const firstHash = users()[0].passwordHash;
    const doc = JSON.parse(readFileSync(join(dir, 'users.json'), 'utf8'));
    doc.users.push({ name: 'ops', groups: [], tokenSha256: 'b'.repeat(64) });
    writeFileSync(join(dir, 'users.json'), JSON.stringify(doc));
    ensureLocalUsers(dir);
    expect(token('developer')).toBe(first);
    expect(users()[0].passwordHash).toBe(firstHash);
    expect(users().map((u: any) => u.name)).toEqual(['developer', 'viewer', 'ops']);
  });

  it('hashes a password file changed by hand again at the next start', () => {
    ensureLocalUsers(dir);
    writeFileSync(join(dir, 'user-passwords', 'developer.password'), 'chosen-by-me\n');
    ensureLocalUsers(dir);
    expect(hashOf(users()[0].passwordHash, 'chosen-by-me')).toBe(true);
  });
});
