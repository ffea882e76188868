import { policyTableName, renderPolicyRuleset } from './nft-ruleset';
import { PolicyEvaluator } from './policy-evaluator';

const POD_CIDR = '10.92.0.0/16';
const pod = (namespace: string, name: string, ip: string, labels: Record<string, string> = {}, ports: any[] = []) => ({
  metadata: { namespace, name, labels }, spec: { containers: [{ name: 'main', ports }] }, status: { phase: 'Running', podIP: ip },
});
const policy = (namespace: string, name: string, spec: any) => ({ metadata: { namespace, name }, spec: { podSelector: {}, policyTypes: ['Ingress'], ...spec } });
const render = (pods: any[], policies: any[] = []) => renderPolicyRuleset(new PolicyEvaluator({ podCIDR: POD_CIDR, pods, namespaces: [], policies }), POD_CIDR, 'np_test');

describe('renderPolicyRuleset', () => {
  it('names the table after the second octet of POD_CIDR', () => {
    expect(policyTableName('10.65.0.0/16')).toBe('openpacific_65');
  });

  it('renders an empty pod network as a table that lets everything pass', () => {
    expect(render([])).toBe([
      'table inet np_test {',
      '  set pods {',
      '    type ipv4_addr',
      '  }',
      '  chain forward {',
      '    type filter hook forward priority 0; policy accept;',
      '    ct state established,related accept',
      '  }',
      '}',
      '',
    ].join('\n'));
  });

  it('sends new flows to a chain per destination pod that accepts its allowed sources and refuses the rest', () => {
    const text = render(
      [pod('a', 'a1', '10.92.1.2'), pod('a', 'a2', '10.92.1.10', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }]), pod('b', 'b1', '10.92.2.2')],
      [policy('a', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'pg', protocol: 'TCP' }, { port: 8000, endPort: 8080, protocol: 'TCP' }, { protocol: 'UDP' }] }] })],
    );
    expect(text).toBe([
      'table inet np_test {',
      '  set pods {',
      '    type ipv4_addr',
      '    elements = { 10.92.1.2, 10.92.1.10, 10.92.2.2 }',
      '  }',
      '  chain forward {',
      '    type filter hook forward priority 0; policy accept;',
      '    ct state established,related accept',
      '    ip saddr 10.92.0.0/16 ip daddr vmap { 10.92.1.2 : jump pod_10_92_1_2, 10.92.1.10 : jump pod_10_92_1_10, 10.92.2.2 : jump pod_10_92_2_2 }',
      '  }',
      '  chain pod_10_92_1_2 {',
      '    ip saddr 10.92.1.10 accept',
      '    ip saddr != @pods accept',
      '    meta l4proto tcp reject with tcp reset',
      '    drop',
      '  }',
      '  chain pod_10_92_1_10 {',
      '    ip saddr { 10.92.1.2, 10.92.2.2 } tcp dport { 5432, 8000-8080 } accept',
      '    ip saddr { 10.92.1.2, 10.92.2.2 } meta l4proto udp accept',
      '    meta l4proto tcp reject with tcp reset',
      '    drop',
      '  }',
      '  chain pod_10_92_2_2 {',
      '    ip saddr != @pods accept',
      '    meta l4proto tcp reject with tcp reset',
      '    drop',
      '  }',
      '}',
      '',
    ].join('\n'));
  });

  it('lets sources outside the pods in through an ipBlock, minus its exceptions', () => {
    const text = render([pod('a', 'a1', '10.92.1.2')], [policy('a', 'p', { ingress: [{ from: [{ ipBlock: { cidr: '10.92.0.0/16', except: ['10.92.5.0/24', '10.92.6.0/24'] } }], ports: [{ port: 80, protocol: 'TCP' }] }] })]);
    expect(text).toContain('    ip saddr != @pods ip saddr 10.92.0.0/16 ip saddr != { 10.92.5.0/24, 10.92.6.0/24 } tcp dport 80 accept\n');
  });

  it('grows by rules per pod, not per pair of pods', () => {
    const pods = Array.from({ length: 200 }, (_, i) => pod(`ns${i % 4}`, `p${i}`, `10.92.${1 + (i % 4)}.${10 + Math.floor(i / 4)}`));
    const rules = render(pods).split('\n').filter((l) => l.startsWith('    ') && !l.includes('type ') && !l.includes('elements'));
    expect(rules.length).toBeLessThanOrEqual(2 + 200 * 4);
  });
});
