import { defaultEndpoints, validateEndpoints } from './endpoints.strategy';

const endpoints = (subsets: any[]) => defaultEndpoints({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'ns' }, subsets });
const causes = (subsets: any[]) => validateEndpoints(endpoints(subsets)).map((c) => `${c.field}: ${c.message}`);

describe('Endpoints strategy', () => {
  it('defaults port protocols to TCP and accepts ready and not-ready addresses, loopback included', () => {
    const e = endpoints([{ addresses: [{ ip: '10.0.0.5', hostname: 'db-0' }, { ip: '127.0.0.1' }], notReadyAddresses: [{ ip: '2001:db8::1' }], ports: [{ name: 'pg', port: 5432 }, { name: 'm', port: 9187, protocol: 'UDP' }] }]);
    expect(e.subsets[0].ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP' }, { name: 'm', port: 9187, protocol: 'UDP' }]);
    expect(validateEndpoints(e)).toEqual([]);
    expect(validateEndpoints({ metadata: { name: 'empty' } })).toEqual([]);
  });

  it('refuses addresses that are not IPs or are special, naming the field as kube-apiserver does', () => {
    expect(causes([{ addresses: [{ ip: '10.0.0.300' }], notReadyAddresses: [{ ip: 'db.example.com' }], ports: [{ port: 1 }] }])).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].notReadyAddresses[0].ip: Invalid value: "db.example.com": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    expect(causes([{ addresses: [{ ip: '0.0.0.0' }, { ip: '169.254.1.1' }, { ip: '224.0.0.7' }, { ip: '::' }, { ip: 'fe80::1' }] }]).map((c) => c.split(': ')[0])).toEqual([
      'subsets[0].addresses[0].ip', 'subsets[0].addresses[1].ip', 'subsets[0].addresses[2].ip', 'subsets[0].addresses[3].ip', 'subsets[0].addresses[4].ip',
    ]);
    expect(causes([{ addresses: [{ ip: '10.0.0.1', hostname: 'Not_A_Label' }] }])[0]).toMatch(/^subsets\[0\]\.addresses\[0\]\.hostname: Invalid value: "Not_A_Label": a lowercase RFC 1123 label/);
    expect(causes([{ ports: [{ port: 80 }] }])).toEqual(['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']);
  });

  it('refuses ports out of range, unknown protocols, and missing or repeated names among several ports', () => {
    expect(causes([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 0 }] }])).toEqual(['subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']);
    expect(causes([{ addresses: [{ ip: '10.0.0.1' }] }, { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'a', port: 65536 }, { name: 'a', port: 80, protocol: 'HTTP' }, { port: 81 }] }])).toEqual([
      'subsets[1].ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive',
      'subsets[1].ports[1].name: Duplicate value: "a"',
      'subsets[1].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'subsets[1].ports[2].name: Required value',
    ]);
  });
});
