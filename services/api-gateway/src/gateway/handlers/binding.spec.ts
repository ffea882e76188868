import { bindingCauses, boundByBinding } from './binding';

describe('pod bindings', () => {
  it('want a Node target (or no kind) with a name, as kube-apiserver validates them', () => {
    expect(bindingCauses({ target: { kind: 'Node', name: 'host-1' } })).toEqual([]);
    expect(bindingCauses({ target: { name: 'host-1' } })).toEqual([]);
    expect(bindingCauses({ target: { kind: 'Pod' } }).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
      'target.name: Required value',
    ]);
  });

  it('put the pod on the host with the binding’s annotations and PodScheduled=True', () => {
    const pod: any = { metadata: { name: 'p', annotations: { a: '1' } }, spec: {}, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } };
    boundByBinding(pod, { metadata: { annotations: { b: '2' } }, target: { name: 'host-1' } });
    expect(pod.spec.nodeName).toBe('host-1');
    expect(pod.metadata.annotations).toEqual({ a: '1', b: '2' });
    expect(pod.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]);
  });
});
