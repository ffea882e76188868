import { freePort, reservePorts } from './local-cluster';

describe('freePort', () => {
  it('never hands out a port twice in one process', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
  });

  it('never hands out a reserved port, though nothing listens on it yet', async () => {
    // Every port of the range it picks from is reserved: what it returns must lie outside it.
    reservePorts(Array.from({ length: 10_000 }, (_, i) => 20_000 + i));
    const port = await freePort();
    expect(port < 20_000 || port >= 30_000).toBe(true);
  });
});
