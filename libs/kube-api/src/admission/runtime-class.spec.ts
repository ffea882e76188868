import { admitRuntimeClass } from './runtime-class';

const classes = (...rcs: any[]) => ({ get: (name: string) => rcs.find((rc) => rc.metadata.name === name) });
const gvisor = { metadata: { name: 'gvisor' }, handler: 'runsc', overhead: { podFixed: { cpu: '250m', memory: '64Mi' } }, scheduling: { nodeSelector: { sandbox: 'gvisor' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }] } };
const plain = { metadata: { name: 'plain' }, handler: 'crx' };
const pod = (spec: any = {}) => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });

describe('RuntimeClass admission', () => {
  it('leaves a pod without a runtimeClassName as it is', () => {
    const p = pod();
    expect(admitRuntimeClass(p, classes(gvisor))).toBeUndefined();
    expect(p.spec).toEqual(pod().spec);
  });

  it("sets the class's overhead and merges its node selector and tolerations into the pod's", () => {
    const p = pod({ runtimeClassName: 'gvisor', nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }, { key: 'x', operator: 'Exists' }] });
    expect(admitRuntimeClass(p, classes(gvisor))).toBeUndefined();
    expect(p.spec.overhead).toEqual({ cpu: '250m', memory: '64Mi' });
    expect(p.spec.nodeSelector).toEqual({ disk: 'ssd', sandbox: 'gvisor' });
    expect(p.spec.tolerations).toEqual([{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }, { key: 'x', operator: 'Exists' }]);
    // A class without overhead or scheduling changes nothing.
    const q = pod({ runtimeClassName: 'plain' });
    expect(admitRuntimeClass(q, classes(plain))).toBeUndefined();
    expect(q.spec).toEqual(pod({ runtimeClassName: 'plain' }).spec);
  });

  it('takes an overhead the pod already carries when it is the same amounts', () => {
    const p = pod({ runtimeClassName: 'gvisor', overhead: { cpu: '0.25', memory: '67108864' } });
    expect(admitRuntimeClass(p, classes(gvisor))).toBeUndefined();
  });

  it('refuses, in kube-apiserver words, a missing class, another overhead, an overhead without one, a conflicting node selector', () => {
    expect(admitRuntimeClass(pod({ runtimeClassName: 'kata' }), classes(gvisor))).toBe('pod rejected: RuntimeClass "kata" not found');
    expect(admitRuntimeClass(pod({ runtimeClassName: 'gvisor', overhead: { cpu: '1' } }), classes(gvisor))).toBe("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    expect(admitRuntimeClass(pod({ runtimeClassName: 'plain', overhead: { cpu: '1' } }), classes(plain))).toBe('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    expect(admitRuntimeClass(pod({ overhead: { cpu: '1' } }), classes())).toBe('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    expect(admitRuntimeClass(pod({ runtimeClassName: 'gvisor', nodeSelector: { sandbox: 'kata' } }), classes(gvisor))).toBe(
      'conflict: runtimeClass.scheduling.nodeSelector[sandbox] = gvisor; pod.spec.nodeSelector[sandbox] = kata',
    );
  });
});
