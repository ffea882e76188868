import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podFqdn } from '@openpacific/contracts';
import { hostIndexOf, loopbackReason, PodNetworkSettings, writeHostsFile, writeResolvConf } from './pod-network';

describe('choosing how pods are networked', () => {
  const capable = { uid: 0, missing: [] };
  const settings = (s: Partial<PodNetworkSettings> = {}): PodNetworkSettings => ({
    request: 'auto', podCIDR: '10.65.0.0/16', driver: 'process', podSubnet: '', hostName: 'host-2', ...s,
  });

  it('takes the host index from the number at the end of the host name', () => {
    expect(hostIndexOf('host-2')).toBe(2);
    expect(hostIndexOf('worker17')).toBe(17);
    expect(hostIndexOf('host')).toBe(0);
  });

  it('gives pods a namespace each only with POD_CIDR, the process driver, no guest subnet, root and the tools', () => {
    expect(loopbackReason(settings(), capable)).toBeUndefined();
    expect(loopbackReason(settings({ request: 'loopback' }), capable)).toBe('CRX_POD_NETWORK=loopback');
    expect(loopbackReason(settings({ podCIDR: '' }), capable)).toBe('POD_CIDR not set');
    expect(loopbackReason(settings({ driver: 'sim' }), capable)).toBe('CRX_DRIVER=sim');
    expect(loopbackReason(settings({ podSubnet: '127.16.3.0/24' }), capable)).toMatch(/^CRX_POD_SUBNET=127\.16\.3\.0\/24/);
    expect(loopbackReason(settings({ hostName: 'host-0' }), capable)).toBe('host index 0 (from HOST_NAME host-0) is not 1..254');
    expect(loopbackReason(settings({ hostName: 'host-255' }), capable)).toMatch(/host index 255/);
    expect(loopbackReason(settings(), { uid: 1000, missing: [] })).toBe('not root');
    expect(loopbackReason(settings(), { uid: 0, missing: ['ip', 'nsenter'] })).toBe('iproute2, nsenter not found');
  });

  it('writes the pod resolver as the kubelet does, and nothing without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crx-resolv-'));
    try {
      expect(writeResolvConf(dir, undefined)).toBeUndefined();
      const path = writeResolvConf(dir, { nameservers: ['10.97.0.10'], searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] });
      expect(readFileSync(path!, 'utf8')).toBe('nameserver 10.97.0.10\nsearch web.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the pod\'s /etc/hosts as the kubelet does: its address under its DNS name and host name with a subdomain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crx-hosts-'));
    try {
      const member = { metadata: { name: 'web-1', namespace: 'shop' }, spec: { hostname: 'web-1', subdomain: 'web' } };
      expect(podFqdn(member)).toBe('web-1.web.shop.svc.cluster.local');
      expect(podFqdn({ metadata: { name: 'lone', namespace: 'shop' }, spec: {} })).toBeUndefined();
      const lines = (path: string) => readFileSync(path, 'utf8').split('\n');
      expect(lines(writeHostsFile(dir, '10.65.3.7', 'web-1', podFqdn(member)))).toEqual(expect.arrayContaining(['127.0.0.1\tlocalhost', '10.65.3.7\tweb-1.web.shop.svc.cluster.local\tweb-1']));
      const plain = lines(writeHostsFile(dir, '10.65.3.8', 'lone'));
      expect(plain[0]).toBe('# Kubernetes-managed hosts file.');
      expect(plain.slice(-2)).toEqual(['10.65.3.8\tlone', '']);
      // spec.hostAliases, after kubelet's own entries under its comment.
      const aliased = lines(writeHostsFile(dir, '10.65.3.9', 'app', undefined, [{ ip: '10.1.2.3', hostnames: ['db.local', 'db'] }, { ip: '10.1.2.4', hostnames: ['cache.local'] }]));
      expect(aliased.slice(-6)).toEqual(['10.65.3.9\tapp', '', '# Entries added by HostAliases.', '10.1.2.3\tdb.local\tdb', '10.1.2.4\tcache.local', '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
