import { PolicyEvaluator } from './policy-evaluator';

const POD_CIDR = '10.92.0.0/16';
const pod = (namespace: string, name: string, ip: string, labels: Record<string, string> = {}, ports: any[] = []) => ({
  metadata: { namespace, name, labels }, spec: { containers: [{ name: 'main', ports }] }, status: { phase: 'Running', podIP: ip },
});
const policy = (namespace: string, name: string, spec: any) => ({ metadata: { namespace, name }, spec: { podSelector: {}, policyTypes: ['Ingress'], ...spec } });

const WEB = '10.92.1.2';
const WEB2 = '10.92.1.3';
const DB = '10.92.2.2';
const API = '10.92.2.3';
const OTHER = '10.92.3.2';
const OTHER_HIGH = '10.92.3.200';
const PODS = [
  pod('front', 'web', WEB, { app: 'web' }),
  pod('front', 'web2', WEB2, { app: 'web2' }),
  pod('back', 'db', DB, { app: 'db' }, [{ name: 'pg', containerPort: 5432 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }]),
  pod('back', 'api', API, { app: 'api' }),
  pod('other', 'x', OTHER),
  pod('other', 'y', OTHER_HIGH),
  pod('front', 'loopback', '127.1.2.3'),
  { ...pod('front', 'done', '10.92.1.9'), status: { phase: 'Succeeded', podIP: '10.92.1.9' } },
];
const NAMESPACES = [{ metadata: { name: 'front', labels: { team: 'web' } } }, { metadata: { name: 'back' } }, { metadata: { name: 'other' } }];

/** given(policies).then: a decision per (src, dst, port[, protocol]). */
const given = (...policies: any[]) => new PolicyEvaluator({ podCIDR: POD_CIDR, pods: PODS, namespaces: NAMESPACES, policies });

describe('PolicyEvaluator', () => {
  it('without policies isolates namespaces from each other but not from what is not a pod', () => {
    const e = given();
    expect(e.pods().map((p) => p.name)).toEqual(['web', 'web2', 'db', 'api', 'x', 'y']);
    expect(e.allows(WEB, WEB2, 80, 'TCP')).toBe(true);
    expect(e.allows(DB, API, 9000, 'UDP')).toBe(true);
    expect(e.allows(WEB, DB, 5432, 'TCP')).toBe(false);
    expect(e.allows(OTHER, WEB, 80, 'TCP')).toBe(false);
    expect(e.allows('10.92.0.1', DB, 5432, 'TCP')).toBe(true);
    expect(e.allows('127.0.0.1', DB, 5432, 'TCP')).toBe(true);
    expect(e.allows(WEB, '10.97.0.10', 53, 'UDP')).toBe(true);
  });

  it('lets a selected pod take only what a rule allows: namespaceSelector and podSelector together, a named port', () => {
    const e = given(policy('back', 'db-from-web', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'pg', protocol: 'TCP' }] }],
    }));
    expect(e.allows(WEB, DB, 5432, 'TCP')).toBe(true);
    expect(e.allows(WEB, DB, 5433, 'TCP')).toBe(false);
    expect(e.allows(WEB, DB, 5432, 'UDP')).toBe(false);
    expect(e.allows(WEB2, DB, 5432, 'TCP')).toBe(false);
    // Now selected, db has lost the namespace default; api has not.
    expect(e.allows(API, DB, 5432, 'TCP')).toBe(false);
    expect(e.allows(DB, API, 8080, 'TCP')).toBe(true);
    expect(e.allows(WEB, API, 8080, 'TCP')).toBe(false);
    // Sources that are not pods match no selector.
    expect(e.allows('10.92.0.1', DB, 5432, 'TCP')).toBe(false);
  });

  it('opens to everyone with an empty from, on every port with no ports, and picks namespaces by their name label', () => {
    const anyone = given(policy('back', 'open-db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 8000, endPort: 8010, protocol: 'TCP' }] }] }));
    expect(anyone.allows(OTHER, DB, 8005, 'TCP')).toBe(true);
    expect(anyone.allows('192.168.1.10', DB, 8010, 'TCP')).toBe(true);
    expect(anyone.allows(OTHER, DB, 8011, 'TCP')).toBe(false);
    const byName = given(policy('back', 'from-other', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }] }] }));
    expect(byName.allows(OTHER, API, 1, 'SCTP')).toBe(true);
    expect(byName.allows(WEB, API, 80, 'TCP')).toBe(false);
    expect(byName.allows(DB, API, 80, 'TCP')).toBe(false);
  });

  it('matches an ipBlock by address, minus its exceptions, and an empty ingress list allows nothing', () => {
    const e = given(policy('front', 'from-block', { ingress: [{ from: [{ ipBlock: { cidr: '10.92.3.0/24', except: ['10.92.3.128/25'] } }] }] }));
    expect(e.allows(OTHER, WEB, 80, 'TCP')).toBe(true);
    expect(e.allows(OTHER_HIGH, WEB, 80, 'TCP')).toBe(false);
    expect(e.allows(WEB2, WEB, 80, 'TCP')).toBe(false);
    const deny = given(policy('front', 'deny-all', {}));
    expect(deny.allows(WEB2, WEB, 80, 'TCP')).toBe(false);
    expect(deny.allows('10.92.0.1', WEB, 80, 'TCP')).toBe(false);
  });

  it('unions the rules of every policy that selects a pod', () => {
    const e = given(
      policy('back', 'a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }] }),
      policy('back', 'b', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'cache'] }] }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'dns', protocol: 'UDP' }] }] }),
    );
    expect(e.allows(API, DB, 5432, 'TCP')).toBe(true);
    expect(e.allows(API, DB, 53, 'UDP')).toBe(true);
    expect(e.allows(OTHER, DB, 53, 'UDP')).toBe(true);
    expect(e.allows(OTHER, DB, 5432, 'TCP')).toBe(false);
  });

  it('limits a pod selected by an egress policy to where its rules go, on top of the destination\'s ingress', () => {
    const e = given(
      policy('front', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'pg' }] }] }),
      policy('back', 'db-in', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
    );
    expect(e.allows(WEB, DB, 5432, 'TCP')).toBe(true);
    expect(e.allows(WEB, DB, 22, 'TCP')).toBe(false);
    expect(e.allows(WEB, WEB2, 80, 'TCP')).toBe(false);
    expect(e.allows(WEB2, WEB, 80, 'TCP')).toBe(true);
    expect(e.allows(WEB, '1.1.1.1', 443, 'TCP')).toBe(false);
    expect(e.allows(OTHER, DB, 22, 'TCP')).toBe(true);
  });

  it('describes what sources that are not pods may send, for the ruleset', () => {
    const e = given(policy('front', 'p', { ingress: [{ from: [{ ipBlock: { cidr: '10.92.0.0/24', except: ['10.92.0.128/25'] } }], ports: [{ port: 80 }] }, { from: [{ podSelector: {} }] }] }));
    const web = e.pods().find((p) => p.name === 'web')!;
    expect(e.nonPodIngress(web)).toEqual([{ from: { cidr: '10.92.0.0/24', except: ['10.92.0.128/25'] }, ports: { TCP: [[80, 80]] } }]);
    const db = e.pods().find((p) => p.name === 'db')!;
    expect(e.nonPodIngress(db)).toEqual([{ from: 'any', ports: { TCP: 'all', UDP: 'all', SCTP: 'all' } }]);
  });
});
