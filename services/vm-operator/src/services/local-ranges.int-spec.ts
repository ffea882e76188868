import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { LOOPBACK_NETWORK } from '@openpacific/contracts';
import { makeServiceRangesLocal, rangesToMakeLocal } from './local-ranges';

// Ranges no cluster of this machine uses (test clusters take 10.64–10.159), removed again at the end.
const network = { podCIDR: '', serviceCIDR: '10.211.0.0/16', loadBalancerCIDR: '10.212.0.0/16' };
const logger = { info: () => undefined, warn: () => undefined };
const localRoutes = () => execFileSync('ip', ['route', 'show', 'table', 'local'], { encoding: 'utf8' });

function listen(address: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.end('hello'));
    server.once('error', reject);
    server.listen(0, address, () => resolve(server));
  });
}

describe('making the service ranges local', () => {
  afterAll(() => {
    for (const cidr of [network.serviceCIDR, network.loadBalancerCIDR]) {
      try {
        execFileSync('ip', ['route', 'del', 'local', cidr, 'dev', 'lo', 'table', 'local'], { stdio: 'ignore' });
      } catch {
        // not there: nothing to clean
      }
    }
  });

  it('leaves loopback ranges alone', () => {
    expect(rangesToMakeLocal(LOOPBACK_NETWORK)).toEqual([]);
    expect(rangesToMakeLocal({ ...LOOPBACK_NETWORK, serviceCIDR: '10.97.0.0/16' })).toEqual(['10.97.0.0/16']);
  });

  it('lets a listener bind any address of the ranges and the machine reach it, twice over', async () => {
    await expect(listen('10.211.7.8')).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    expect(await makeServiceRangesLocal(network, logger)).toEqual([]);
    expect(await makeServiceRangesLocal(network, logger)).toEqual([]);
    expect(localRoutes()).toContain('local 10.211.0.0/16 dev lo');
    expect(localRoutes()).toContain('local 10.212.0.0/16 dev lo');
    for (const address of ['10.211.7.8', '10.212.7.8']) {
      const server = await listen(address);
      const port = (server.address() as net.AddressInfo).port;
      const reply = await new Promise<string>((resolve, reject) => {
        let data = '';
        const client = net.connect(port, address).on('data', (d) => (data += d)).on('error', reject);
        client.on('end', () => {
          client.destroy();
          resolve(data);
        });
      });
      await new Promise((resolve) => server.close(resolve));
      expect(reply).toBe('hello');
    }
  });
});
