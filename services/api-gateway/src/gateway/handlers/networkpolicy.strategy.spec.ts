import { defaultNetworkPolicy, validateNetworkPolicy } from './networkpolicy.strategy';

const policy = (spec: any) => defaultNetworkPolicy({ metadata: { name: 'p', namespace: 'ns' }, spec });
const fields = (spec: any) => validateNetworkPolicy(policy(spec)).map((c) => c.field);

describe('NetworkPolicy strategy', () => {
  it('defaults policyTypes to Ingress, adds Egress when egress rules are given, and defaults protocols to TCP', () => {
    expect(policy({}).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const p = policy({ egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 443 }] }], ingress: [{ ports: [{ port: 'http' }] }] });
    expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(p.spec.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 443, protocol: 'TCP' }]);
    expect(p.spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(policy({ policyTypes: ['Egress'] }).spec.policyTypes).toEqual(['Egress']);
  });

  it('accepts a policy using every kind of peer and port', () => {
    expect(validateNetworkPolicy(policy({
      podSelector: { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'Exists' }] },
      ingress: [{
        from: [{ podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'front' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
        ports: [{ port: 5432 }, { port: 8000, endPort: 8080 }, { port: 'metrics', protocol: 'TCP' }, { protocol: 'UDP' }],
      }],
    }))).toEqual([]);
  });

  it('refuses selector operators with the wrong values, unknown operators and bad label keys and values', () => {
    const causes = validateNetworkPolicy(policy({
      podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Like' }, { key: '-bad', operator: 'NotIn', values: ['bad value'] }], matchLabels: { ok: 'bad value' } },
    }));
    expect(causes.map((c) => [c.field, c.reason])).toEqual([
      ['spec.podSelector.matchExpressions[0].values', 'FieldValueRequired'],
      ['spec.podSelector.matchExpressions[1].values', 'FieldValueForbidden'],
      ['spec.podSelector.matchExpressions[2].operator', 'FieldValueInvalid'],
      ['spec.podSelector.matchExpressions[3].key', 'FieldValueInvalid'],
      ['spec.podSelector.matchExpressions[3].values[0]', 'FieldValueInvalid'],
      ['spec.podSelector.matchLabels', 'FieldValueInvalid'],
    ]);
    expect(causes[0].message).toBe("Required value: must be specified when `operator` is 'In' or 'NotIn'");
    expect(causes[2].message).toBe('Invalid value: "Like": not a valid selector operator');
  });

  it('refuses ports out of range, an endPort below port or beside a named port, and unknown protocols', () => {
    const causes = validateNetworkPolicy(policy({
      ingress: [{ ports: [{ port: 0 }, { port: 70000 }, { port: 90, endPort: 80 }, { port: 'http', endPort: 90 }, { port: 80, protocol: 'ICMP' }, { endPort: 90 }, { port: 'Bad--Name' }] }],
    }));
    expect(causes.map((c) => c.field)).toEqual([
      'spec.ingress[0].ports[0].port',
      'spec.ingress[0].ports[1].port',
      'spec.ingress[0].ports[2].endPort',
      'spec.ingress[0].ports[3].endPort',
      'spec.ingress[0].ports[4].protocol',
      'spec.ingress[0].ports[5].endPort',
      'spec.ingress[0].ports[6].port',
      'spec.ingress[0].ports[6].port',
    ]);
    expect(causes[0].message).toBe('Invalid value: 0: must be between 1 and 65535, inclusive');
    expect(causes[2].message).toBe('Invalid value: 90: must be greater than or equal to `port`');
    expect(causes[3].message).toBe('Invalid value: 90: may not be specified when `port` is non-numeric');
    expect(causes[4].message).toBe('Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"');
    expect(causes.slice(6).map((c) => c.message)).toEqual([
      'Invalid value: "Bad--Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'Invalid value: "Bad--Name": must not contain consecutive hyphens',
    ]);
  });

  it('refuses bad ipBlocks, empty peers and an ipBlock beside a selector', () => {
    expect(fields({
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }, { ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24', '10.0.0.0/16', 'nope'] } }, {}, { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }],
    })).toEqual([
      'spec.egress[0].to[0].ipBlock.cidr',
      'spec.egress[0].to[1].ipBlock.except[0]',
      'spec.egress[0].to[1].ipBlock.except[1]',
      'spec.egress[0].to[1].ipBlock.except[2]',
      'spec.egress[0].to[2]',
      'spec.egress[0].to[3]',
    ]);
  });

  it('refuses unknown policyTypes and more than two of them', () => {
    const causes = validateNetworkPolicy(policy({ policyTypes: ['Ingress', 'Sideways'] }));
    expect(causes).toEqual([{ field: 'spec.policyTypes[1]', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sideways": supported values: "Ingress", "Egress"' }]);
    expect(fields({ policyTypes: ['Ingress', 'Egress', 'Ingress'] })).toEqual(['spec.policyTypes']);
  });
});
