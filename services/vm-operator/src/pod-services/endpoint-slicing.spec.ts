import { DesiredEndpoint, MAX_ENDPOINTS_PER_SLICE, planSlices, serviceSliceLabels, SliceContent, SlicePlan } from './endpoint-slicing';

const HTTP = [{ name: 'http', port: 8080, protocol: 'TCP' }];
const ip = (i: number) => `10.64.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const pod = (i: number) => `web-${String(i).padStart(3, '0')}`;
/** The endpoint of pod i, ready unless said otherwise. */
const endpoint = (i: number, ready = true) => ({
  addresses: [ip(i)], conditions: { ready, serving: ready, terminating: false },
  targetRef: { kind: 'Pod' as const, namespace: 'shop', name: pod(i), uid: `uid-${i}` }, nodeName: 'sim-1',
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const want = (ids: number[], ports = HTTP, ready = (_i: number) => true): DesiredEndpoint[] => ids.map((i) => ({ endpoint: endpoint(i, ready(i)), ports }));
const slice = (name: string, content: SliceContent) => ({ metadata: { name }, addressType: 'IPv4', ...content });
const pods = (content: SliceContent) => content.endpoints.map((e) => e.targetRef.name);

/** The slices after a plan is carried out, as the controller writes it (new slices named new-0, new-1…). */
function apply(existing: any[], plan: SlicePlan): any[] {
  const byName = new Map(existing.map((s) => [s.metadata.name, s]));
  for (const name of plan.delete) byName.delete(name);
  for (const { name, content } of plan.update) byName.set(name, slice(name, content));
  plan.create.forEach((content, i) => byName.set(`new-${i}`, slice(`new-${i}`, content)));
  return [...byName.values()];
}

describe('planSlices (the endpointslice reconciler)', () => {
  it('gives a Service with no endpoints one placeholder slice without ports, and keeps it as it is', () => {
    const plan = planSlices([], []);
    expect(plan).toEqual({ create: [{ ports: [], endpoints: [] }], update: [], delete: [] });
    expect(planSlices([slice('web-abcde', { ports: [], endpoints: [] })], [])).toEqual({ create: [], update: [], delete: [] });
  });

  it('puts 1 and 100 endpoints in one slice, and 101 and 250 in slices of at most 100', () => {
    expect(planSlices([], want([0])).create.map((c) => c.endpoints.length)).toEqual([1]);
    expect(planSlices([], want(range(0, 100))).create.map((c) => c.endpoints.length)).toEqual([100]);
    expect(planSlices([], want(range(0, 101))).create.map((c) => c.endpoints.length)).toEqual([100, 1]);
    const plan = planSlices([], want(range(0, 250)));
    expect(plan.create.map((c) => c.endpoints.length)).toEqual([100, 100, 50]);
    expect(plan.create.every((c) => c.ports === HTTP)).toBe(true);
    // Every endpoint once, in the order wanted.
    expect(plan.create.flatMap(pods)).toEqual(range(0, 250).map(pod));
    expect(MAX_ENDPOINTS_PER_SLICE).toBe(100);
  });

  it('writes nothing when the slices already hold what is wanted', () => {
    const slices = apply([], planSlices([], want(range(0, 250))));
    expect(planSlices(slices, want(range(0, 250)))).toEqual({ create: [], update: [], delete: [] });
  });

  it('rewrites only the slice of an endpoint whose conditions changed, in place', () => {
    const slices = apply([], planSlices([], want(range(0, 150))));
    const plan = planSlices(slices, want(range(0, 150), HTTP, (i) => i !== 120));
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.update.map((u) => u.name)).toEqual(['new-1']);
    const [{ content }] = plan.update;
    // Same endpoints in the same places, one of them not ready now.
    expect(pods(content)).toEqual(range(100, 150).map(pod));
    expect(content.endpoints[20].conditions).toEqual({ ready: false, serving: false, terminating: false });
  });

  it('on scale down drops the gone endpoints from their slices and deletes the slice left empty', () => {
    const slices = apply([], planSlices([], want(range(0, 250))));
    // 200 to 249 (all of new-2) and 0 to 9 (in new-0) go.
    const plan = planSlices(slices, want(range(10, 200)));
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual(['new-2']);
    expect(plan.update.map((u) => [u.name, u.content.endpoints.length])).toEqual([['new-0', 90]]);
    // The full slice new-1 is not touched, nor re-packed into new-0.
    expect(apply(slices, plan).map((s) => [s.metadata.name, s.endpoints.length])).toEqual([['new-0', 90], ['new-1', 100]]);
  });

  it('scaled to none, turns the last slice into the placeholder rather than deleting and creating', () => {
    const slices = apply([], planSlices([], want(range(0, 150))));
    const plan = planSlices(slices, []);
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual(['new-1']);
    expect(plan.update).toEqual([{ name: 'new-0', content: { ports: [], endpoints: [] } }]);
  });

  it('fills a slice being rewritten before making new ones', () => {
    const slices = apply([], planSlices([], want(range(0, 200))));
    // Pod 5 goes, pods 200 to 204 come: the slice rewritten for pod 5 takes one, a new slice the other four.
    const plan = planSlices(slices, want([...range(0, 5), ...range(6, 205)]));
    expect(plan.update.map((u) => [u.name, u.content.endpoints.length])).toEqual([['new-0', 100]]);
    expect(pods(plan.update[0].content).slice(-1)).toEqual([pod(200)]);
    expect(plan.create.map(pods)).toEqual([range(201, 205).map(pod)]);
    expect(plan.delete).toEqual([]);
  });

  it('adds a few new endpoints to the unchanged slice closest to full that takes them all', () => {
    const slices = [
      slice('web-a', { ports: HTTP, endpoints: want(range(0, 100)).map((d) => d.endpoint) }),
      slice('web-b', { ports: HTTP, endpoints: want(range(100, 130)).map((d) => d.endpoint) }),
      slice('web-c', { ports: HTTP, endpoints: want(range(130, 190)).map((d) => d.endpoint) }),
    ];
    const plan = planSlices(slices, want(range(0, 200)));
    expect(plan.update.map((u) => [u.name, u.content.endpoints.length])).toEqual([['web-c', 70]]);
    expect(plan.create).toEqual([]);
    // 120 more: one new full slice, then 20 into web-c (closer to full than web-b).
    const more = planSlices(slices, want(range(0, 310)));
    expect(more.create.map((c) => c.endpoints.length)).toEqual([100]);
    expect(more.update.map((u) => [u.name, u.content.endpoints.length])).toEqual([['web-c', 80]]);
  });

  it('keeps one set of slices per set of ports, and moves an endpoint whose resolved port changed', () => {
    const other = [{ name: 'http', port: 9090, protocol: 'TCP' }];
    const plan = planSlices([], [...want(range(0, 3)), ...want(range(3, 5), other)]);
    expect(plan.create.map((c) => [c.ports, pods(c)])).toEqual([[HTTP, range(0, 3).map(pod)], [other, range(3, 5).map(pod)]]);
    const slices = apply([], plan);
    // Pod 3 restarted serving on 8080: out of the 9090 slice, into the 8080 one.
    const moved = planSlices(slices, [...want(range(0, 4)), ...want([4], other)]);
    expect(moved.create).toEqual([]);
    expect(moved.update.map((u) => [u.name, pods(u.content)])).toEqual([['new-0', range(0, 4).map(pod)], ['new-1', [pod(4)]]]);
  });

  it('deletes the slices of ports no endpoint serves any more, reusing one for the new ports', () => {
    const slices = apply([], planSlices([], want(range(0, 3))));
    const renamed = [{ name: 'web', port: 8080, protocol: 'TCP' }];
    const plan = planSlices(slices, want(range(0, 3), renamed));
    expect(plan).toEqual({ create: [], update: [{ name: 'new-0', content: { ports: renamed, endpoints: want(range(0, 3)).map((d) => d.endpoint) } }], delete: [] });
  });

  it('cuts a slice written with more than the cap down to it, the rest placed in a new slice', () => {
    const big = slice('web', { ports: HTTP, endpoints: want(range(0, 150)).map((d) => d.endpoint) });
    const plan = planSlices([big], want(range(0, 150)));
    expect(plan.update.map((u) => [u.name, pods(u.content)])).toEqual([['web', range(0, 100).map(pod)]]);
    expect(plan.create.map(pods)).toEqual([range(100, 150).map(pod)]);
  });

  it('lists an endpoint found in two slices once', () => {
    const slices = [slice('web-a', { ports: HTTP, endpoints: want([0, 1]).map((d) => d.endpoint) }), slice('web-b', { ports: HTTP, endpoints: want([1]).map((d) => d.endpoint) })];
    const plan = planSlices(slices, want([0, 1]));
    expect(plan).toEqual({ create: [], update: [], delete: ['web-b'] });
  });

  it('rewrites a slice labelled otherwise than the Service now is with its endpoints, and fills it first', () => {
    const old = { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', tier: 'front' };
    const now = { ...old, tier: 'back' };
    const labelled = (name: string, content: SliceContent, labels: Record<string, string>) => ({ ...slice(name, content), metadata: { name, labels } });
    const slices = [labelled('web-a', { ports: HTTP, endpoints: want(range(0, 100)).map((d) => d.endpoint) }, now), labelled('web-b', { ports: HTTP, endpoints: want(range(100, 130)).map((d) => d.endpoint) }, old)];
    expect(planSlices(slices, want(range(0, 130)), MAX_ENDPOINTS_PER_SLICE, now)).toEqual({ create: [], update: [{ name: 'web-b', content: { ports: HTTP, endpoints: want(range(100, 130)).map((d) => d.endpoint) } }], delete: [] });
    // Labels alike in another key order are the same labels: nothing to write.
    const reordered = Object.fromEntries(Object.entries(now).reverse());
    expect(planSlices([slices[0]], want(range(0, 100)), MAX_ENDPOINTS_PER_SLICE, reordered)).toEqual({ create: [], update: [], delete: [] });
    // New endpoints go into the slice being relabelled anyway, not a new one.
    const plan = planSlices(slices, want(range(0, 135)), MAX_ENDPOINTS_PER_SLICE, now);
    expect(plan.create).toEqual([]);
    expect(plan.update.map((u) => [u.name, u.content.endpoints.length])).toEqual([['web-b', 35]]);
    // A placeholder labelled otherwise is rewritten in place; one labelled alike is kept.
    const placeholder = labelled('web-p', { ports: [], endpoints: [] }, old);
    expect(planSlices([placeholder], [], MAX_ENDPOINTS_PER_SLICE, now)).toEqual({ create: [], update: [{ name: 'web-p', content: { ports: [], endpoints: [] } }], delete: [] });
    expect(planSlices([placeholder], [], MAX_ENDPOINTS_PER_SLICE, old)).toEqual({ create: [], update: [], delete: [] });
  });
});

describe('serviceSliceLabels (the endpointslice controller\'s setEndpointSliceLabels)', () => {
  const service = (labels: Record<string, string> | undefined, clusterIP?: string) => ({ metadata: { name: 'web', labels }, spec: { ...(clusterIP !== undefined ? { clusterIP } : {}) } });

  it('copies the Service\'s labels and sets the service name and managed-by, overriding the Service\'s own of those keys', () => {
    expect(serviceSliceLabels(service({ app: 'web', 'kubernetes.io/service-name': 'other', 'endpointslice.kubernetes.io/managed-by': 'me' }, '10.96.0.10'))).toEqual({
      app: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(serviceSliceLabels(service(undefined, '10.96.0.10'))).toEqual({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  });

  it('marks the slices of a Service without a cluster IP headless, and only those, whatever the Service\'s own label says', () => {
    const headless = { 'service.kubernetes.io/headless': '', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };
    expect(serviceSliceLabels(service(undefined, 'None'))).toEqual(headless);
    expect(serviceSliceLabels(service({ 'service.kubernetes.io/headless': 'yes' }, 'None'))).toEqual(headless);
    expect(serviceSliceLabels(service({ 'service.kubernetes.io/headless': '' }, '10.96.0.10'))).not.toHaveProperty(['service.kubernetes.io/headless']);
  });
});
