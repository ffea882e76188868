import { parseQuantity } from '../request/quantity';

/** The RuntimeClasses a pod's admission consults, by name. */
export interface RuntimeClassLookup {
  get(name: string): any | undefined;
}

/** Two resource lists that hold the same amounts (`100m` and `0.1` are the same CPU), as Kubernetes compares them. */
function sameAmounts(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b![k] !== undefined && parseQuantity(a![k] as string) === parseQuantity(b![k] as string));
}

const sameToleration = (x: any, y: any) =>
  (x.key ?? '') === (y.key ?? '') && (x.operator ?? 'Equal') === (y.operator ?? 'Equal') && (x.value ?? '') === (y.value ?? '') && (x.effect ?? '') === (y.effect ?? '') &&
  x.tolerationSeconds === y.tolerationSeconds;

/**
 * kube-apiserver's RuntimeClass admission plugin on a new pod, in place: a pod naming a RuntimeClass
 * (`spec.runtimeClassName`) takes its `overhead.podFixed` as `spec.overhead` and its `scheduling` (node selector
 * merged into the pod's, tolerations added to the pod's). Returns why the pod is refused (the text after
 * `pods "p" is forbidden: `): a class that does not exist, an overhead the pod set that is not the class's (or
 * without a class that has one), a node selector that conflicts with the class's.
 */
export function admitRuntimeClass(pod: any, classes: RuntimeClassLookup): string | undefined {
  const spec = pod?.spec;
  if (!spec || typeof spec !== 'object') return undefined;
  const name = spec.runtimeClassName;
  const rc = name ? classes.get(name) : undefined;
  if (name && !rc) return `pod rejected: RuntimeClass ${JSON.stringify(name)} not found`;
  const podFixed = rc?.overhead?.podFixed;
  if (podFixed) {
    if (spec.overhead && Object.keys(spec.overhead).length > 0 && !sameAmounts(spec.overhead, podFixed)) return "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";
    spec.overhead = { ...podFixed };
  } else if (spec.overhead) {
    return 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead';
  }
  const scheduling = rc?.scheduling;
  if (scheduling) {
    const selector: Record<string, string> = { ...(spec.nodeSelector ?? {}) };
    for (const [key, value] of Object.entries<string>(scheduling.nodeSelector ?? {})) {
      const podValue = spec.nodeSelector?.[key];
      if (podValue !== undefined && podValue !== value) return `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${podValue}`;
      selector[key] = value;
    }
    if (Object.keys(selector).length > 0) spec.nodeSelector = selector;
    const tolerations: any[] = [...(spec.tolerations ?? [])];
    for (const t of scheduling.tolerations ?? []) if (!tolerations.some((have) => sameToleration(have, t))) tolerations.push(t);
    if (tolerations.length > 0) spec.tolerations = tolerations;
  }
  return undefined;
}
