import { carriesGeneration, configMapResource, deploymentResource, hostToNode, namespaceResource, podResource, virtualMachineResource } from '@openpacific/contracts';
import { prepareForCreate, prepareForUpdate } from './object-rules';

const obj = (kind: string, spec?: any) => ({ apiVersion: 'v1', kind, metadata: { name: 'x', generation: 7 }, ...(spec ? { spec } : {}) });

describe('metadata.generation only where kube-apiserver 1.32 sets it', () => {
  it('the workloads and custom kinds carry one; pods, config maps, namespaces do not', () => {
    expect(carriesGeneration(deploymentResource)).toBe(true);
    expect(carriesGeneration(virtualMachineResource)).toBe(true);
    expect(carriesGeneration(podResource)).toBe(false);
    expect(carriesGeneration(configMapResource)).toBe(false);
    expect(carriesGeneration(namespaceResource)).toBe(false);
  });

  it('a create sets 1 on a Deployment and drops what a client sent on a Pod or a ConfigMap', () => {
    expect(prepareForCreate(deploymentResource, obj('Deployment', { replicas: 1 }), 'ns').metadata.generation).toBe(1);
    expect(prepareForCreate(podResource, obj('Pod', { containers: [] }), 'ns').metadata).not.toHaveProperty('generation');
    expect(prepareForCreate(configMapResource, obj('ConfigMap'), 'ns').metadata).not.toHaveProperty('generation');
  });

  it('a spec change raises a Deployment\'s and leaves a Pod without one', () => {
    const deployment = prepareForCreate(deploymentResource, obj('Deployment', { replicas: 1 }), 'ns');
    expect(prepareForUpdate(deploymentResource, deployment, { ...deployment, spec: { replicas: 2 } }).metadata.generation).toBe(2);
    const pod = prepareForCreate(podResource, obj('Pod', { containers: [], activeDeadlineSeconds: 5 }), 'ns');
    const updated = prepareForUpdate(podResource, pod, { ...pod, metadata: { ...pod.metadata, generation: 3 }, spec: { containers: [], activeDeadlineSeconds: 4 } });
    expect(updated.metadata).not.toHaveProperty('generation');
  });

  it('a Node, the view of a Host, shows none of its Host\'s', () => {
    const host = { apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name: 'host-1', uid: 'u', generation: 4 }, spec: {}, status: {} };
    expect(hostToNode(host).metadata).toEqual({ name: 'host-1', uid: 'u' });
    expect(host.metadata.generation).toBe(4);
  });
});
