import { ServiceHealth } from './health-registry';

describe('ServiceHealth', () => {
  it('is not ready before the kit marks it serving', async () => {
    expect(await new ServiceHealth().readiness()).toMatchObject({ ready: false, failed: 'serving' });
  });

  it('is ready when serving and every check passes', async () => {
    const health = new ServiceHealth();
    health.addCheck('ok', async () => undefined);
    health.setServing(true);
    expect(await health.readiness()).toEqual({ ready: true });
  });

  it('names the first failing check', async () => {
    const health = new ServiceHealth();
    health.addCheck('postgres', async () => undefined);
    health.addCheck('cache', async () => {
      throw new Error('cold');
    });
    health.setServing(true);
    expect(await health.readiness()).toEqual({ ready: false, failed: 'cache', error: 'cold' });
  });

  it('lets the service hold itself unready', async () => {
    const health = new ServiceHealth();
    health.setServing(true);
    health.setReady(false);
    expect(await health.readiness()).toMatchObject({ ready: false, failed: 'service' });
  });
});
