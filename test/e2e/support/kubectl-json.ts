import type { TestCluster } from '@openpacific/testing';

/** `kubectl … -o json`, parsed, with nothing on stderr. */
export async function kubectlJson(cluster: TestCluster, args: string[]): Promise<any> {
  const r = await cluster.kubectl([...args, '-o', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

/** `kubectl apply` of one object, which must succeed with nothing on stderr. */
export async function kubectlApply(cluster: TestCluster, obj: object): Promise<void> {
  const r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** The condition of the given type in an object's status, if it has one. */
export const conditionOf = (obj: any, type: string): any => obj.status?.conditions?.find((c: any) => c.type === type);

/** `kubectl get --raw <path>` (as `context` when given): its output, or a thrown error with kubectl's stderr. */
export async function kubectlRaw(cluster: TestCluster, path: string, context?: string): Promise<string> {
  const res = await cluster.kubectl(['get', '--raw', path, ...(context ? ['--context', context] : [])]);
  if (res.code !== 0) throw new Error(`kubectl get --raw ${path} failed: ${res.stderr}`);
  return res.stdout;
}

/** A sample's value from Prometheus text, by its exact series (name and labels); undefined when it has none. */
export function sampleOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  // After the series itself, whose label values may hold spaces (an OS name): the value, then maybe a timestamp.
  return line === undefined ? undefined : Number(line.slice(series.length + 1).split(' ')[0]);
}
