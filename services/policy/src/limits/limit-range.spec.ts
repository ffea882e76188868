import { aggregate, claimLimitViolations, defaultPodResources, effectiveItem, limitItems, podLimitViolations, vmClassViolations } from './limit-range';

const lr = (limits: any[]) => ({ metadata: { name: 'limits', namespace: 'ns' }, spec: { limits } });
const pod = (containers: any[]) => ({ metadata: { name: 'p' }, spec: { containers } });

describe('LimitRange', () => {
  it('defaults as kube: default limit from max, default request from default limit, else from min', () => {
    expect(effectiveItem({ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } })).toEqual({
      type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { memory: '64Mi', cpu: '2' },
    });
  });

  it('sets missing requests and limits on every container and says so in the annotation', () => {
    const items = limitItems([lr([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }])], 'Container');
    const { pod: out, annotation } = defaultPodResources(pod([{ name: 'web', resources: { limits: { cpu: '1' } } }]), items);
    expect(out.spec.containers[0].resources).toEqual({ limits: { cpu: '1', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(annotation).toBe('LimitRanger plugin set: cpu, memory request for container web; memory limit for container web');
  });

  it('leaves a pod that has everything as it is', () => {
    const items = limitItems([lr([{ type: 'Container', default: { cpu: '1' } }])], 'Container');
    const p = pod([{ name: 'a', resources: { limits: { cpu: '2' }, requests: { cpu: '1' } } }]);
    expect(defaultPodResources(p, items)).toEqual({ pod: p });
  });

  it('refuses below min and above max per Container, with kube\'s words', () => {
    const items = limitItems([lr([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' } }])], 'Container');
    expect(podLimitViolations(pod([{ name: 'a', resources: { requests: { cpu: '50m' }, limits: { cpu: '2' } } }]), items, [])).toEqual([
      'minimum cpu usage per Container is 100m, but request is 50m',
      'maximum cpu usage per Container is 1, but limit is 2',
    ]);
    expect(podLimitViolations(pod([{ name: 'a', resources: { requests: { cpu: '200m' }, limits: { cpu: '1' } } }]), items, [])).toEqual([]);
  });

  it('checks the limit to request ratio', () => {
    const items = limitItems([lr([{ type: 'Container', maxLimitRequestRatio: { memory: '2' } }])], 'Container');
    expect(podLimitViolations(pod([{ name: 'a', resources: { requests: { memory: '100Mi' }, limits: { memory: '300Mi' } } }]), items, [])).toEqual([
      'memory max limit to request ratio per Container is 2, but provided ratio is 3.000000',
    ]);
  });

  it('checks a Pod item against the sum of its containers', () => {
    const items = limitItems([lr([{ type: 'Pod', max: { memory: '1Gi' } }])], 'Pod');
    const p = pod([{ name: 'a', resources: { limits: { memory: '768Mi' } } }, { name: 'b', resources: { limits: { memory: '512Mi' } } }]);
    expect(podLimitViolations(p, [], items)).toEqual(['maximum memory usage per Pod is 1Gi, but limit is 1280Mi']);
  });

  it('checks a claim\'s storage request', () => {
    const items = limitItems([lr([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }])], 'PersistentVolumeClaim');
    expect(claimLimitViolations({ spec: { resources: { requests: { storage: '20Gi' } } } }, items)).toEqual(['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']);
    expect(claimLimitViolations({ spec: { resources: { requests: { storage: '500Mi' } } } }, items)).toEqual(['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']);
  });

  it('checks a VM class\'s hardware against the Container max', () => {
    const items = limitItems([lr([{ type: 'Container', max: { cpu: '4', memory: '8Gi' } }])], 'Container');
    expect(vmClassViolations({ metadata: { name: 'huge' }, spec: { hardware: { cpus: 16, memory: '4Gi' } } }, items)).toEqual([
      'maximum cpu usage per Container is 4, but VirtualMachineClass "huge" has 16',
    ]);
  });

  it('aggregates several errors in brackets as kube does', () => {
    expect(aggregate(['a'])).toBe('a');
    expect(aggregate(['a', 'b'])).toBe('[a, b]');
  });
});
