import { generateKeyPairSync } from 'node:crypto';
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { staticLookups } from '@openpacific/authz';
import { loadConfig } from '@openpacific/service-kit';
import { GatewayConfig, gatewayConfigSchema } from '../../api-gateway.config';
import { signerFromPem } from '../../pki';
import { auditAnnotationsOf } from '../audit/audit-annotations';
import { hashPassword, parsePasswordHash } from './passwords';
import { LoginLockoutUnavailableError } from './postgres-login-lockout';
import { ACCOUNT_LOCKED, BAD_CREDENTIALS, WcpApi } from './wcp-api';
import { LoginOutcome, MemoryLoginLockout, VCENTER_LOCKOUT_POLICY } from './wcp-login-lockout';

/** A clock the test moves by hand: no test here sleeps. */
function fakeClock(start = Date.parse('2026-11-22T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

/** A password check that counts its runs: `ok` for the right password, undefined otherwise. */
function checker() {
  const check = { runs: 0, verify: (good: boolean) => async () => (check.runs++, good ? 'ok' : undefined) };
  return check;
}

const results = (outcomes: LoginOutcome<unknown>[]) => outcomes.map((o) => o.result);

describe('the login lockout policy', () => {
  it("locks a name on its fifth failure within 180 s for 300 s, refusing even the right password without checking it", async () => {
    const clock = fakeClock();
    const lockout = new MemoryLoginLockout(VCENTER_LOCKOUT_POLICY, clock.now);
    const check = checker();
    const failures = [];
    for (let i = 0; i < 5; i++) {
      failures.push(await lockout.attempt('dev', check.verify(false)));
      clock.advance(30);
    }
    expect(results(failures)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect(failures[3]).toEqual({ result: 'failed' });
    const lockedAt = clock.now() - 30_000;
    expect(failures[4]).toEqual({ result: 'failed', lockedUntil: lockedAt + 300_000 });

    expect(await lockout.attempt('dev', check.verify(true))).toEqual({ result: 'locked', lockedUntil: lockedAt + 300_000 });
    expect(check.runs).toBe(5);
    clock.advance(300 - 30 - 1);
    expect((await lockout.attempt('dev', check.verify(true))).result).toBe('locked');
    clock.advance(1);
    expect(await lockout.attempt('dev', check.verify(true))).toEqual({ result: 'ok', value: 'ok' });
    expect(check.runs).toBe(6);
  });

  it('counts only the failures within the window', async () => {
    const clock = fakeClock();
    const lockout = new MemoryLoginLockout(VCENTER_LOCKOUT_POLICY, clock.now);
    const check = checker();
    // Five failures 45 s apart: never five within 180 s.
    for (let i = 0; i < 10; i++) {
      expect(await lockout.attempt('dev', check.verify(false))).toEqual({ result: 'failed' });
      clock.advance(45);
    }
  });

  it('clears the count on a success', async () => {
    const lockout = new MemoryLoginLockout(VCENTER_LOCKOUT_POLICY, fakeClock().now);
    const check = checker();
    for (let i = 0; i < 4; i++) await lockout.attempt('dev', check.verify(false));
    expect((await lockout.attempt('dev', check.verify(true))).result).toBe('ok');
    for (let i = 0; i < 4; i++) expect((await lockout.attempt('dev', check.verify(false))).result).toBe('failed');
    expect(await lockout.attempt('dev', check.verify(false))).toMatchObject({ result: 'failed', lockedUntil: expect.any(Number) });
  });

  it('counts each name on its own, an unknown name as any other', async () => {
    const lockout = new MemoryLoginLockout({ maxFailures: 2, failureWindowSeconds: 60, lockoutSeconds: 60 }, fakeClock().now);
    const check = checker();
    await lockout.attempt('no-such-user', check.verify(false));
    await lockout.attempt('no-such-user', check.verify(false));
    await lockout.attempt('dev', check.verify(false));
    expect((await lockout.attempt('no-such-user', check.verify(false))).result).toBe('locked');
    expect((await lockout.attempt('dev', check.verify(true))).result).toBe('ok');
    // Names are exact: another spelling is another name.
    expect((await lockout.attempt('No-Such-User', check.verify(true))).result).toBe('ok');
  });

  it('gives guesses sent together no more than the limit: they are checked one after another', async () => {
    const lockout = new MemoryLoginLockout({ maxFailures: 3, failureWindowSeconds: 60, lockoutSeconds: 60 }, fakeClock().now);
    const check = checker();
    const burst = await Promise.all(Array.from({ length: 20 }, () => lockout.attempt('dev', check.verify(false))));
    expect(check.runs).toBe(3);
    expect(results(burst)).toEqual([...Array(3).fill('failed'), ...Array(17).fill('locked')]);
  });

  it('keeps a spray of names within the cap, forgetting the least recently tried first', async () => {
    const clock = fakeClock();
    const lockout = new MemoryLoginLockout({ maxFailures: 2, failureWindowSeconds: 600, lockoutSeconds: 600 }, clock.now, 100);
    const check = checker();
    await lockout.attempt('dev', check.verify(false));
    await lockout.attempt('dev', check.verify(false));
    for (let i = 0; i < 50; i++) await lockout.attempt(`spray-${i}`, check.verify(false));
    // Tried again, 'dev' is now the most recent: 99 more names do not push it out.
    expect((await lockout.attempt('dev', check.verify(true))).result).toBe('locked');
    for (let i = 50; i < 149; i++) await lockout.attempt(`spray-${i}`, check.verify(false));
    expect(lockout.size).toBe(100);
    expect((await lockout.attempt('dev', check.verify(true))).result).toBe('locked');
    // 100 more push it out: the oldest go first, and memory stays at the cap.
    for (let i = 149; i < 249; i++) await lockout.attempt(`spray-${i}`, check.verify(false));
    expect(lockout.size).toBe(100);
    expect((await lockout.attempt('dev', check.verify(true))).result).toBe('ok');
  });

  it('forgets names with nothing left to remember before the cap is reached', async () => {
    const clock = fakeClock();
    const lockout = new MemoryLoginLockout({ maxFailures: 5, failureWindowSeconds: 60, lockoutSeconds: 60 }, clock.now, 100);
    const check = checker();
    for (let i = 0; i < 10; i++) await lockout.attempt(`name-${i}`, check.verify(false));
    expect(lockout.size).toBe(10);
    clock.advance(61);
    await lockout.attempt('later', check.verify(false));
    expect(lockout.size).toBe(1);
  });
});

describe('POST /wcp/login under the lockout', () => {
  const signer = signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const clock = fakeClock();
  let server: Server;
  let base: string;
  /** What the audit hook would record with each answer, by the order of the requests. */
  const annotations: (Record<string, string> | undefined)[] = [];

  beforeAll(async () => {
    const dev = { username: 'dev', groups: ['system:authenticated'], password: parsePasswordHash(await hashPassword('right', { N: 1024 })) };
    const api = new WcpApi({
      users: { passwordUser: (name) => (name === 'dev' ? dev : undefined) }, signer,
      authenticate: () => ({ username: 'system:anonymous', groups: [] }), rbac: () => staticLookups({}), namespaces: () => [], namespaced: () => true, object: () => undefined,
      lockout: new MemoryLoginLockout({ maxFailures: 3, failureWindowSeconds: 60, lockoutSeconds: 120 }, clock.now),
    });
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      // Kept as the answer is sent, before the client can read it.
      void api.handle(req, res, '/wcp/login').then(() => annotations.push(auditAnnotationsOf(res)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const login = (user: string, password: string) =>
    new Promise<{ status: number; body: any; challenge: unknown; audit: Record<string, string> | undefined }>((resolve, reject) => {
      const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      const req = request(`${base}/wcp/login`, { method: 'POST', headers: { authorization } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), challenge: res.headers['www-authenticate'], audit: annotations.at(-1) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('refuses the right password of a locked user with a 401 saying so, audited as AccountLocked with the name', async () => {
    expect(await login('dev', 'wrong-1')).toMatchObject({ status: 401, body: { message: BAD_CREDENTIALS }, audit: { 'wcp.openpacific.io/login-refused': 'InvalidCredentials', 'wcp.openpacific.io/login-refused-user': 'dev' } });
    await login('dev', 'wrong-2');
    const third = await login('dev', 'wrong-3');
    expect(third).toMatchObject({ status: 401, body: { message: BAD_CREDENTIALS } });
    expect(third.audit).toEqual({ 'wcp.openpacific.io/login-refused': 'InvalidCredentials', 'wcp.openpacific.io/login-refused-user': 'dev', 'wcp.openpacific.io/login-locked-until': new Date(clock.now() + 120_000).toISOString().replace('.000Z', 'Z') });
    const locked = await login('dev', 'right');
    expect(locked).toMatchObject({ status: 401, body: { message: ACCOUNT_LOCKED }, challenge: 'Basic realm="wcp"' });
    expect(locked.audit).toEqual({ 'wcp.openpacific.io/login-refused': 'AccountLocked', 'wcp.openpacific.io/login-refused-user': 'dev' });
    expect(ACCOUNT_LOCKED).toMatch(/account is locked/);
    clock.advance(120);
    expect(await login('dev', 'right')).toMatchObject({ status: 200, audit: { 'wcp.openpacific.io/login-user': 'dev' } });
  });

  it('locks an unknown name alike, and never writes that name down', async () => {
    for (let i = 0; i < 3; i++) expect((await login('s3cret-typed-as-a-name', 'x')).body).toEqual({ message: BAD_CREDENTIALS });
    const locked = await login('s3cret-typed-as-a-name', 'x');
    expect(locked).toMatchObject({ status: 401, body: { message: ACCOUNT_LOCKED } });
    expect(locked.audit).toEqual({ 'wcp.openpacific.io/login-refused': 'AccountLocked' });
    expect(JSON.stringify(annotations)).not.toContain('s3cret');
  });
});

describe('POST /wcp/login when the lockout cannot judge it', () => {
  it('answers 503 without checking the password, so that no guess goes unjudged', async () => {
    let checked = false;
    const api = new WcpApi({
      users: { passwordUser: () => (checked = true, undefined) },
      signer: signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      authenticate: () => ({ username: 'system:anonymous', groups: [] }), rbac: () => staticLookups({}), namespaces: () => [], namespaced: () => true, object: () => undefined,
      // What PostgresLoginLockout throws when Postgres cannot be reached (its int spec shows it does).
      lockout: { attempt: () => Promise.reject(new LoginLockoutUnavailableError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))) },
    });
    const server = createServer((req, res) => void api.handle(req, res, '/wcp/login'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/wcp/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('dev:guess').toString('base64')}` } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer).toEqual({ status: 503, body: { message: expect.stringMatching(/login lockout's store \(Postgres\) is unavailable: connect ECONNREFUSED.*try again later/) } });
      expect(checked).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the lockout knobs', () => {
  const load = (env: Record<string, string>) => loadConfig<GatewayConfig>(gatewayConfigSchema, env);

  it("default to vCenter Single Sign-On's policy and take other whole numbers", () => {
    expect(load({})).toMatchObject({ WCP_LOGIN_MAX_FAILURES: 5, WCP_LOGIN_FAILURE_WINDOW_SECONDS: 180, WCP_LOGIN_LOCKOUT_SECONDS: 300 });
    expect(load({ WCP_LOGIN_MAX_FAILURES: '3', WCP_LOGIN_FAILURE_WINDOW_SECONDS: '60', WCP_LOGIN_LOCKOUT_SECONDS: '2' })).toMatchObject({ WCP_LOGIN_MAX_FAILURES: 3, WCP_LOGIN_FAILURE_WINDOW_SECONDS: 60, WCP_LOGIN_LOCKOUT_SECONDS: 2 });
    expect(() => load({ WCP_LOGIN_MAX_FAILURES: '0' })).toThrow(/WCP_LOGIN_MAX_FAILURES/);
    expect(() => load({ WCP_LOGIN_LOCKOUT_SECONDS: '1.5' })).toThrow(/WCP_LOGIN_LOCKOUT_SECONDS/);
  });
});
