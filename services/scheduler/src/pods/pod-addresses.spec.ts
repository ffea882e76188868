import { POD_IP_ANNOTATION, POD_NETWORK_ANNOTATION } from '@openpacific/contracts';
import { networksPods, PodAddressAllocator, PodAddressesExhausted, withPodAddress } from './pod-addresses';

const pod = (namespace: string, name: string, ip?: string) => ({
  metadata: { namespace, name, annotations: ip ? { [POD_IP_ANNOTATION]: ip } : {} },
});
const keyOf = (p: any) => `${p.metadata.namespace}/${p.metadata.name}`;
const allocator = (pods: any[]) => {
  const a = new PodAddressAllocator('10.70.0.0/16');
  for (const p of pods) a.count(keyOf(p), p);
  return a;
};
const assign = (a: PodAddressAllocator, p: any) => a.assign(keyOf(p), p);

describe('PodAddressAllocator', () => {
  it('gives each namespace its own /24 and each pod the lowest free address in it', () => {
    const a = allocator([]);
    expect(assign(a, pod('web', 'a'))).toBe('10.70.1.2');
    expect(assign(a, pod('web', 'b'))).toBe('10.70.1.3');
    expect(assign(a, pod('db', 'a'))).toBe('10.70.2.2');
    expect(assign(a, pod('web', 'c'))).toBe('10.70.1.4');
  });

  it('keeps the address a pod holds and learns the namespaces\' subnets from the pods that exist', () => {
    const existing = [pod('web', 'a', '10.70.7.2'), pod('web', 'b', '10.70.7.4'), pod('db', 'a', '10.70.1.2')];
    const a = allocator(existing);
    expect(assign(a, existing[0])).toBe('10.70.7.2');
    expect(assign(a, pod('web', 'c'))).toBe('10.70.7.3');
    expect(assign(a, pod('web', 'd'))).toBe('10.70.7.5');
    // /24s 1 and 7 are taken: a new namespace gets the lowest free one.
    expect(assign(a, pod('cache', 'a'))).toBe('10.70.2.2');
  });

  it('ignores addresses outside its range (pods of a loopback host)', () => {
    const a = allocator([pod('web', 'a', '127.101.0.2')]);
    expect(assign(a, pod('web', 'b'))).toBe('10.70.1.2');
  });

  it('says so when a namespace\'s /24 is full', () => {
    const a = allocator([]);
    for (let i = 0; i < 253; i++) assign(a, pod('big', `p${i}`));
    expect(() => assign(a, pod('big', 'one-more'))).toThrow(PodAddressesExhausted);
    expect(() => assign(a, pod('big', 'one-more'))).toThrow(/namespace big has no free pod address left in 10\.70\.1\.0\/24/);
  });

  it('gives an address back when its pod goes or loses it, and a namespace its /24 when its last pod goes', () => {
    const [webA, webB, db] = [pod('web', 'a', '10.70.1.2'), pod('web', 'b', '10.70.1.3'), pod('db', 'a', '10.70.2.2')];
    const a = allocator([webA, webB, db]);
    a.count(keyOf(webA), undefined);
    expect(assign(a, pod('web', 'c'))).toBe('10.70.1.2');
    // A decision that did not land: its pod is counted again as the log has it, without the address.
    a.count(keyOf(pod('web', 'c')), pod('web', 'c'));
    expect(assign(a, pod('web', 'd'))).toBe('10.70.1.2');
    a.count(keyOf(db), undefined);
    expect(assign(a, pod('cache', 'a'))).toBe('10.70.2.2');
  });

  it('gives a finished pod\'s address back once its host has stopped its sandbox, not before', () => {
    const finished = (p: any, phase: string, sandboxUp: 'True' | 'False' | undefined) => ({
      ...p, status: { phase, podIP: p.metadata.annotations[POD_IP_ANNOTATION], conditions: sandboxUp ? [{ type: 'PodReadyToStartContainers', status: sandboxUp }] : [] },
    });
    const [done, failed, running] = [pod('jobs', 'done', '10.70.1.2'), pod('jobs', 'failed', '10.70.1.3'), pod('jobs', 'running', '10.70.1.4')];
    const a = allocator([done, failed, running]);
    // Written Succeeded while its sandbox still stands (the host stops it next): the address stays held.
    a.count(keyOf(done), finished(done, 'Succeeded', 'True'));
    a.count(keyOf(failed), finished(failed, 'Failed', undefined));
    expect(assign(a, pod('jobs', 'next'))).toBe('10.70.1.5');
    // The host says the sandbox is gone: both addresses are free again, the lowest first.
    a.count(keyOf(done), finished(done, 'Succeeded', 'False'));
    a.count(keyOf(failed), finished(failed, 'Failed', 'False'));
    expect(assign(a, pod('jobs', 'after'))).toBe('10.70.1.2');
    expect(assign(a, pod('jobs', 'later'))).toBe('10.70.1.3');
    // A running pod whose sandbox is not ready (being made again) keeps its address.
    a.count(keyOf(running), { ...running, status: { phase: 'Running', conditions: [{ type: 'PodReadyToStartContainers', status: 'False' }] } });
    expect(assign(a, pod('jobs', 'last'))).toBe('10.70.1.6');
  });

  it('lets 253 finished pods of a namespace give way to more (a Job of 300 completions)', () => {
    const a = allocator([]);
    for (let i = 0; i < 300; i++) {
      const p = pod('batch', `c${i}`);
      const ip = assign(a, p);
      const done = { ...p, metadata: { ...p.metadata, annotations: { [POD_IP_ANNOTATION]: ip } }, status: { phase: 'Succeeded', conditions: [{ type: 'PodReadyToStartContainers', status: 'False' }] } };
      a.count(keyOf(p), done);
    }
    expect(assign(a, pod('batch', 'c300'))).toBe('10.70.1.2');
  });

  it('gives a pod that has been handed an address the same one until its count changes', () => {
    const a = allocator([]);
    expect(assign(a, pod('web', 'a'))).toBe('10.70.1.2');
    expect(assign(a, pod('web', 'a'))).toBe('10.70.1.2');
    expect(assign(a, pod('web', 'b'))).toBe('10.70.1.3');
  });

  it('knows which hosts network their pods and sets the annotation', () => {
    expect(networksPods({ metadata: { annotations: { [POD_NETWORK_ANNOTATION]: 'netns' } } })).toBe(true);
    expect(networksPods({ metadata: { annotations: { [POD_NETWORK_ANNOTATION]: 'loopback' } } })).toBe(false);
    expect(networksPods({ metadata: {} })).toBe(false);
    expect(withPodAddress(pod('web', 'a'), '10.70.1.2').metadata.annotations[POD_IP_ANNOTATION]).toBe('10.70.1.2');
  });
});
