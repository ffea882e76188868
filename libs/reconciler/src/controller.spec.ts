import { eventually } from '@openpacific/testing';
import { Controller, type ControllerOptions } from './controller';
import type { ReconcilerLogger } from './reconciler-logger';
import { TerminalError } from './terminal-error';

interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

function recordingLogger(lines: LogLine[]): ReconcilerLogger {
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => lines.push({ level, msg, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Controller', () => {
  const running: Controller[] = [];
  let logs: LogLine[];

  function controller(opts: Omit<ControllerOptions, 'name' | 'logger'>): Controller {
    const c = new Controller({ name: 'test', logger: recordingLogger(logs), ...opts });
    running.push(c);
    c.start();
    return c;
  }

  beforeEach(() => (logs = []));
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  it('never reconciles the same key on two workers at once, while still running different keys in parallel', async () => {
    const active = new Set<string>();
    let overlaps = 0;
    let maxParallel = 0;
    const c = controller({
      concurrency: 4,
      reconcile: async (key) => {
        if (active.has(key)) overlaps++;
        active.add(key);
        maxParallel = Math.max(maxParallel, active.size);
        await tick(2);
        active.delete(key);
      },
    });
    for (let i = 0; i < 100; i++) {
      c.enqueue(`key-${i % 5}`);
      if (i % 10 === 0) await tick(1);
    }
    await eventually(() => expect(c.stats()).toMatchObject({ queued: 0, inFlight: 0 }));
    expect(overlaps).toBe(0);
    expect(maxParallel).toBeGreaterThan(1);
    expect(maxParallel).toBeLessThanOrEqual(4);
  });

  it('reconciles a key again when it is enqueued while being reconciled', async () => {
    const seen: number[] = [];
    let generation = 1;
    let release!: () => void;
    const firstRunBlocked = new Promise<void>((r) => (release = r));
    const c = controller({
      reconcile: async () => {
        seen.push(generation);
        if (seen.length === 1) await firstRunBlocked;
      },
    });
    c.enqueue('vm/a');
    await eventually(() => expect(seen).toEqual([1]));
    generation = 2;
    c.enqueue('vm/a');
    release();
    await eventually(() => expect(seen).toEqual([1, 2]));
  });

  it('runs a key once for many enqueues that arrive before a worker takes it', async () => {
    let calls = 0;
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const c = controller({
      reconcile: async (key) => {
        calls++;
        if (key === 'blocker') await blocked;
      },
    });
    c.enqueue('blocker');
    await eventually(() => expect(calls).toBe(1));
    for (let i = 0; i < 10; i++) c.enqueue('vm/a');
    expect(c.stats().queued).toBe(1);
    release();
    await eventually(() => expect(calls).toBe(2));
    await tick(20);
    expect(calls).toBe(2);
  });

  it('retries a failing key with growing backoff, and logs each failure with its key and a reconcileID', async () => {
    const attempts: number[] = [];
    const c = controller({
      backoff: { baseDelayMs: 10, maxDelayMs: 1000 },
      reconcile: async () => {
        attempts.push(Date.now());
        if (attempts.length <= 3) throw Object.assign(new Error('host unreachable'), { code: 'HOST.DOWN' });
      },
    });
    c.enqueue('vm/a');
    await eventually(() => expect(attempts).toHaveLength(4));
    const retries = logs.filter((l) => l.msg === 'reconcile failed, retrying').map((l) => l.fields);
    expect(retries.map((f) => f.retryInMs)).toEqual([10, 20, 40]);
    expect(retries[0]).toMatchObject({ controller: 'test', key: 'vm/a', error: 'host unreachable', code: 'HOST.DOWN' });
    expect(new Set(retries.map((f) => f.reconcileID)).size).toBe(3);
    expect(attempts[3] - attempts[2]).toBeGreaterThanOrEqual(35);
    expect(c.stats()).toMatchObject({ reconciles: 4, errors: 3, requeues: 3 });
  });

  it('starts the backoff over once a key has succeeded', async () => {
    let failNext = 2;
    const c = controller({
      backoff: { baseDelayMs: 10, maxDelayMs: 1000 },
      reconcile: async () => {
        if (failNext-- > 0) throw new Error('boom');
      },
    });
    c.enqueue('vm/a');
    await eventually(() => expect(c.stats()).toMatchObject({ reconciles: 3, errors: 2 }));
    failNext = 1;
    c.enqueue('vm/a');
    await eventually(() => expect(c.stats()).toMatchObject({ reconciles: 5, errors: 3 }));
    const delays = logs.filter((l) => l.msg === 'reconcile failed, retrying').map((l) => l.fields.retryInMs);
    expect(delays).toEqual([10, 20, 10]);
  });

  it('reconciles a key again after requeueAfterMs when it asks to', async () => {
    const runs: number[] = [];
    const c = controller({
      reconcile: async () => {
        runs.push(Date.now());
        return runs.length < 3 ? { requeueAfterMs: 30 } : undefined;
      },
    });
    c.enqueue('vm/a');
    await eventually(() => expect(runs).toHaveLength(3));
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(25);
    expect(c.stats()).toMatchObject({ requeues: 2, errors: 0 });
    await tick(60);
    expect(runs).toHaveLength(3);
  });

  it('enqueues every listed key at start and again on each resync', async () => {
    const counts = new Map<string, number>();
    controller({
      resyncMs: 40,
      listKeys: () => ['vm/a', 'vm/b', 'vm/c'],
      reconcile: async (key) => void counts.set(key, (counts.get(key) ?? 0) + 1),
    });
    await eventually(() => {
      for (const key of ['vm/a', 'vm/b', 'vm/c']) expect(counts.get(key)).toBeGreaterThanOrEqual(3);
    });
  });

  it('logs a TerminalError and does not retry the key', async () => {
    let calls = 0;
    const c = controller({
      backoff: { baseDelayMs: 5 },
      reconcile: async () => {
        calls++;
        throw new TerminalError('spec.cpus must be positive');
      },
    });
    c.enqueue('vm/bad');
    await eventually(() => expect(calls).toBe(1));
    await tick(60);
    expect(calls).toBe(1);
    expect(c.stats()).toMatchObject({ errors: 1, terminalErrors: 1, requeues: 0 });
    const line = logs.find((l) => l.msg === 'reconcile failed terminally, not retrying');
    expect(line?.fields).toMatchObject({ key: 'vm/bad', code: 'RECONCILER.TERMINAL', error: 'spec.cpus must be positive' });
    expect(line?.fields.reconcileID).toEqual(expect.any(String));
  });

  it('waits for in-flight reconciles when stopped and takes no key afterwards', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const c = controller({
      concurrency: 2,
      reconcile: async (key) => {
        started.push(key);
        await tick(80);
        finished.push(key);
      },
    });
    c.enqueue('vm/a');
    c.enqueue('vm/b');
    c.enqueue('vm/c');
    await eventually(() => expect(started).toHaveLength(2), { intervalMs: 5 });
    await c.stop();
    expect(finished.sort()).toEqual(['vm/a', 'vm/b']);
    c.enqueue('vm/d');
    await tick(20);
    expect(started).toHaveLength(2);
  });
});
