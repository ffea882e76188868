import { defaultPod, validatePod } from './pod.strategy';

const pod = (spec: any) => defaultPod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const causes = (spec: any) => validatePod(pod(spec));
const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('dnsPolicy and dnsConfig at the API (kube-apiserver 1.32)', () => {
  it('accepts None with a nameserver, and any policy with a dnsConfig within the limits', () => {
    const dnsConfig = { nameservers: ['1.1.1.1', '2001:db8::1', '10.0.0.1'], searches: ['corp.example.', 'b.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] };
    expect(causes({ dnsPolicy: 'None', dnsConfig })).toEqual([]);
    expect(causes({ dnsConfig })).toEqual([]);
    expect(causes({ dnsPolicy: 'Default', dnsConfig: {} })).toEqual([]);
  });

  it('refuses an unknown or empty policy', () => {
    expect(causes({ dnsPolicy: 'Cluster' })).toEqual([
      { field: 'spec.dnsPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Cluster": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"' },
    ]);
    expect(causes({ dnsPolicy: '' })).toEqual([{ field: 'spec.dnsPolicy', reason: 'FieldValueRequired', message: 'Required value' }]);
  });

  it('requires None to have a dnsConfig with at least one nameserver', () => {
    expect(causes({ dnsPolicy: 'None' })).toEqual([{ field: 'spec.dnsConfig', reason: 'FieldValueRequired', message: 'Required value: must provide `dnsConfig` when `dnsPolicy` is None' }]);
    expect(causes({ dnsPolicy: 'None', dnsConfig: { searches: ['a.example'] } })).toEqual([
      { field: 'spec.dnsConfig.nameservers', reason: 'FieldValueRequired', message: 'Required value: must provide at least one DNS nameserver when `dnsPolicy` is None' },
    ]);
  });

  it('names each nameserver that is not an IP, and refuses more than 3', () => {
    expect(causes({ dnsConfig: { nameservers: ['dns.example', '1.1.1.1', '1.1.1.2', '1.1.1.3'] } })).toEqual([
      { field: 'spec.dnsConfig.nameservers', reason: 'FieldValueInvalid', message: 'Invalid value: []string{"dns.example", "1.1.1.1", "1.1.1.2", "1.1.1.3"}: must not have more than 3 nameservers' },
      { field: 'spec.dnsConfig.nameservers[0]', reason: 'FieldValueInvalid', message: 'Invalid value: "dns.example": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' },
    ]);
  });

  it('refuses a search domain that is no DNS subdomain, more than 32 of them, or a search line over 2048 characters', () => {
    expect(causes({ dnsConfig: { searches: ['ok.example.', 'Bad_Domain'] } })).toEqual([
      { field: 'spec.dnsConfig.searches[1]', reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Domain": ${SUBDOMAIN}` },
    ]);
    const many = Array.from({ length: 33 }, (_, i) => `d${i}.example`);
    expect(causes({ dnsConfig: { searches: many } }).map((c) => [c.field, c.message.replace(/^.*: /, '')])).toEqual([['spec.dnsConfig.searches', 'must not have more than 32 search paths']]);
    const long = Array.from({ length: 9 }, (_, i) => `${String(i).repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(37)}`); // 229 characters each
    expect(causes({ dnsConfig: { searches: long } }).map((c) => [c.field, c.message.replace(/^.*: /, '')])).toEqual([
      ['spec.dnsConfig.searches', 'must not have more than 2048 characters (including spaces) in the search list'],
    ]);
  });

  it('requires every option to be named', () => {
    expect(causes({ dnsConfig: { options: [{ name: 'ndots', value: '1' }, { value: '2' }] } })).toEqual([
      { field: 'spec.dnsConfig.options[1]', reason: 'FieldValueRequired', message: 'Required value: must not be empty' },
    ]);
  });
});

describe('hostAliases at the API', () => {
  it('wants an IP address and DNS subdomains', () => {
    expect(causes({ hostAliases: [{ ip: '10.1.2.3', hostnames: ['db.local', 'db'] }, { ip: '2001:db8::1', hostnames: [] }] })).toEqual([]);
    expect(causes({ hostAliases: [{ ip: 'db', hostnames: ['Not_Valid'] }] })).toEqual([
      { field: 'spec.hostAliases[0].ip', reason: 'FieldValueInvalid', message: 'Invalid value: "db": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' },
      { field: 'spec.hostAliases[0].hostnames[0]', reason: 'FieldValueInvalid', message: `Invalid value: "Not_Valid": ${SUBDOMAIN}` },
    ]);
  });
});
