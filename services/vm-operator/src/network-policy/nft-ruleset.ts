import { parseCIDR } from '@openpacific/contracts';
import { isAllPorts, isEmptyPorts, PortSet, portSetKey, PROTOCOLS } from './port-set';
import type { PolicyEvaluator, PolicyPod } from './policy-evaluator';

/** The nftables table a cluster's policies live in: `openpacific_<second octet of POD_CIDR>`, one per cluster on a machine. */
export function policyTableName(podCIDR: string): string {
  return `openpacific_${(parseCIDR(podCIDR, 'POD_CIDR', 16).base >>> 16) & 255}`;
}

const chainName = (ip: string) => `pod_${ip.replace(/\./g, '_')}`;
const byAddress = (a: string, b: string) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
};

/** `tcp dport { 80, 8000-8080 }` and friends: one match per protocol; none at all when every protocol is open. */
function portMatches(ports: PortSet): string[] {
  if (isAllPorts(ports)) return [''];
  return PROTOCOLS.filter((p) => ports[p]).map((p) => {
    const ranges = ports[p]!;
    const proto = p.toLowerCase();
    if (ranges === 'all') return ` meta l4proto ${proto}`;
    const items = ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
    return ` ${proto} dport ${items.length === 1 ? items[0] : `{ ${items.join(', ')} }`}`;
  });
}

const addressSet = (ips: string[]) => (ips.length === 1 ? ips[0] : `{ ${ips.join(', ')} }`);

/** A destination pod's chain: its allowed sources grouped by what they may reach, then a refusal. */
function podChain(evaluator: PolicyEvaluator, dst: PolicyPod, sources: PolicyPod[]): string[] {
  const groups = new Map<string, { ports: PortSet; ips: string[] }>();
  const target = evaluator.endpoint(dst.ip);
  for (const src of sources) {
    if (src.ip === dst.ip) continue; // a pod's traffic to itself never reaches the forward hook
    const ports = evaluator.allowedPorts(evaluator.endpoint(src.ip), target);
    if (isEmptyPorts(ports)) continue;
    const key = portSetKey(ports);
    const group = groups.get(key) ?? { ports, ips: [] };
    group.ips.push(src.ip);
    groups.set(key, group);
  }
  const rules: string[] = [];
  for (const { ports, ips } of groups.values()) for (const m of portMatches(ports)) rules.push(`ip saddr ${addressSet(ips)}${m} accept`);
  for (const allowance of evaluator.nonPodIngress(dst)) {
    const from = allowance.from === 'any'
      ? ''
      : ` ip saddr ${allowance.from.cidr}${allowance.from.except.length ? ` ip saddr != ${addressSet(allowance.from.except)}` : ''}`;
    for (const m of portMatches(allowance.ports)) rules.push(`ip saddr != @pods${from}${m} accept`);
  }
  rules.push('meta l4proto tcp reject with tcp reset', 'drop');
  return [`  chain ${chainName(dst.ip)} {`, ...rules.map((r) => `    ${r}`), '  }'];
}

/**
 * The whole ruleset of a cluster's policies as `nft -f` reads it (pure). One forward base chain: established
 * traffic passes, a new flow from a pod-network address to a pod jumps (through a verdict map keyed by the
 * destination) to that pod's chain, which accepts its allowed sources (anonymous sets, one rule per distinct port
 * set, so rules grow with pods, not pods squared) and refuses the rest: TCP with a reset, anything else dropped.
 */
export function renderPolicyRuleset(evaluator: PolicyEvaluator, podCIDR: string, tableName = policyTableName(podCIDR)): string {
  const pods = evaluator.pods().sort((a, b) => byAddress(a.ip, b.ip));
  const ips = pods.map((p) => p.ip);
  const lines = [`table inet ${tableName} {`, '  set pods {', '    type ipv4_addr'];
  if (ips.length) lines.push(`    elements = { ${ips.join(', ')} }`);
  lines.push('  }', '  chain forward {', '    type filter hook forward priority 0; policy accept;', '    ct state established,related accept');
  if (ips.length) lines.push(`    ip saddr ${podCIDR} ip daddr vmap { ${ips.map((ip) => `${ip} : jump ${chainName(ip)}`).join(', ')} }`);
  lines.push('  }');
  for (const dst of pods) lines.push(...podChain(evaluator, dst, pods));
  lines.push('}');
  return lines.join('\n') + '\n';
}
