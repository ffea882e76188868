/** Kubernetes quantities ("250m", "1Gi", "2") as numbers, and back as short text. */

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(String(q ?? '').trim());
  if (!m || !(m[2] in SUFFIX)) return 0;
  return Number(m[1]) * SUFFIX[m[2]];
}

/** cpu in cores (or millicores), memory and storage in binary units, counts as they are. */
export function formatQuantity(value: number, resource: string): string {
  const name = resource.replace(/^(requests|limits)\./, '');
  if (name === 'cpu') return value < 1 && value > 0 ? `${Math.round(value * 1000)}m` : `${round(value)}`;
  if (/memory|storage/.test(name)) {
    for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
      if (value >= size) return `${round(value / size)}${unit}`;
    }
  }
  return `${round(value)}`;
}

const round = (n: number) => String(Math.round(n * 100) / 100);

/** The sum of a pod's container requests for one resource. */
export function podRequest(pod: any, resource: string): number {
  return (pod.spec?.containers ?? []).reduce((sum: number, c: any) => sum + parseQuantity(c.resources?.requests?.[resource]), 0);
}
