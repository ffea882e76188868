import { CrxErrorCodes } from '@openpacific/contracts';
import { LeaseWatchdog } from './lease-watchdog';
import { SimDriver } from './sim-driver';

describe('the lease watchdog (isolation response)', () => {
  const sandbox = (driver: SimDriver, name: string, epoch: number) => driver.runPodSandbox({ podUid: `uid-${name}`, podName: name, podNamespace: 'default', epoch });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('stops every container of the epoch when the lease runs out, and records the fence', async () => {
    const driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0 });
    const watchdog = new LeaseWatchdog(driver, { checkIntervalMs: 10 });
    const a = sandbox(driver, 'a', 1);
    await driver.startContainer(driver.createContainer(a.id, { name: 'c', image: 'x' }, 0).id);
    sandbox(driver, 'b', 1);
    watchdog.start();
    // A lease well beyond the first look, so a stalled test process cannot see it run out early.
    const expiresAt = Date.now() + 1000;
    watchdog.renew({ epoch: 1, expiresAt });
    await sleep(30);
    expect(driver.listPodSandboxes()).toHaveLength(2);
    await sleep(expiresAt - Date.now() + 50);
    await watchdog.settled();
    watchdog.stop();
    expect(driver.listPodSandboxes()).toHaveLength(0);
    const [fence] = watchdog.fences().items;
    // b had no container running: the fence removed it but stopped nothing of it.
    expect(fence).toMatchObject({ epoch: 1, leaseExpiredAt: new Date(expiresAt).toISOString(), pods: ['uid-a'] });
    expect(Date.parse(fence.stoppedAt!)).toBeGreaterThanOrEqual(expiresAt);
  });

  it('refuses to revive a lease that ran out, takes a new epoch, and refuses an older one', async () => {
    const driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0 });
    const watchdog = new LeaseWatchdog(driver, {});
    watchdog.renew({ epoch: 2, expiresAt: Date.now() - 1 });
    // The renewal arrives after the deadline: the fence happens, and the epoch is done.
    expect(() => watchdog.renew({ epoch: 2, expiresAt: Date.now() + 3000 })).toThrow(expect.objectContaining({ code: CrxErrorCodes.fenced }));
    await watchdog.settled();
    expect(watchdog.renew({ epoch: 3, expiresAt: Date.now() + 3000 })).toMatchObject({ epoch: 3 });
    expect(() => watchdog.renew({ epoch: 1, expiresAt: Date.now() + 3000 })).toThrow(expect.objectContaining({ code: CrxErrorCodes.fenced }));
    expect(() => watchdog.renew({ epoch: 'x', expiresAt: 1 } as any)).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
  });

  it('leaves sandboxes of a newer epoch alone', async () => {
    const driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0 });
    const watchdog = new LeaseWatchdog(driver, {});
    sandbox(driver, 'old', 1);
    sandbox(driver, 'new', 2);
    watchdog.renew({ epoch: 1, expiresAt: Date.now() - 1 });
    expect(() => watchdog.renew({ epoch: 1, expiresAt: Date.now() + 1000 })).toThrow();
    await watchdog.settled();
    expect(driver.listPodSandboxes().map((s) => s.config.podName)).toEqual(['new']);
  });
});
