import { internalTrafficLocal, localEndpointsByHost, PodHostIndex } from './internal-traffic';
import type { EndpointCandidate } from './local-traffic';

const ep = (address: string, nodeName: string | undefined, ready: boolean, serving = ready, terminating = false): EndpointCandidate => ({
  backend: { address, port: 8080 },
  conditions: { ready, serving, terminating },
  ...(nodeName !== undefined ? { nodeName } : {}),
});
const addresses = (map: Map<string, { address: string }[]>) => Object.fromEntries([...map].map(([host, list]) => [host, list.map((b) => b.address)]));

const pod = (name: string, podIP: string | undefined, nodeName: string | undefined, extra: { phase?: string; createdAt?: string } = {}) => ({
  metadata: { namespace: 'shop', name, creationTimestamp: extra.createdAt ?? '2026-01-01T00:00:00Z' },
  spec: { ...(nodeName ? { nodeName } : {}) },
  status: { phase: extra.phase ?? 'Running', ...(podIP ? { podIP } : {}) },
});

describe('internalTrafficPolicy Local: endpoints by host', () => {
  it('applies to a Service whose internalTrafficPolicy is Local only', () => {
    expect([{ spec: { internalTrafficPolicy: 'Local' } }, { spec: { internalTrafficPolicy: 'Cluster' } }, { spec: {} }, undefined].map(internalTrafficLocal)).toEqual([true, false, false, false]);
  });

  it('gives each host its ready endpoints, and a host with none no entry', () => {
    const byHost = localEndpointsByHost([ep('10.64.1.2', 'host-1', true), ep('10.64.1.3', 'host-1', true), ep('10.64.1.4', 'host-2', true), ep('10.64.1.5', 'host-3', false)]);
    expect(addresses(byHost)).toEqual({ 'host-1': ['10.64.1.2', '10.64.1.3'], 'host-2': ['10.64.1.4'] });
  });

  it('falls back, per host, to endpoints serving while terminating when the host has no ready one (ProxyTerminatingEndpoints)', () => {
    const byHost = localEndpointsByHost([
      ep('10.64.1.2', 'host-1', false, true, true), // serving, terminating: host-1's only choice
      ep('10.64.1.3', 'host-1', false, false, true), // terminating, not serving: never
      ep('10.64.1.4', 'host-2', true), // host-2 has a ready one...
      ep('10.64.1.5', 'host-2', false, true, true), // ...so its terminating one is not used
      ep('10.64.1.6', 'host-3', false, false, true), // host-3: nothing serving
    ]);
    expect(addresses(byHost)).toEqual({ 'host-1': ['10.64.1.2'], 'host-2': ['10.64.1.4'] });
  });

  it('counts an endpoint without a nodeName as local to no host, and an address twice once', () => {
    const byHost = localEndpointsByHost([ep('10.64.1.2', undefined, true), ep('10.64.1.3', 'host-1', true), ep('10.64.1.3', 'host-1', true)]);
    expect(addresses(byHost)).toEqual({ 'host-1': ['10.64.1.3'] });
  });
});

describe('PodHostIndex', () => {
  it('maps a pod\'s address in the pod range to its host, and nothing else', () => {
    const index = new PodHostIndex('10.65.0.0/16');
    index.update('shop/a', pod('a', '10.65.1.2', 'host-1'));
    index.update('shop/b', pod('b', '10.65.1.3', 'host-2'));
    index.update('shop/hostnet', pod('hostnet', '127.0.0.1', 'host-1'));
    index.update('shop/pending', pod('pending', undefined, 'host-1'));
    index.update('shop/unbound', pod('unbound', '10.65.1.9', undefined));
    expect(['10.65.1.2', '::ffff:10.65.1.3', '127.0.0.1', '10.65.1.9', '10.65.1.4', '10.64.1.2', ''].map(index.hostOf)).toEqual(['host-1', 'host-2', undefined, undefined, undefined, undefined, undefined]);
  });

  it('knows no host at all without a pod network (loopback pods)', () => {
    const index = new PodHostIndex('');
    index.update('shop/a', pod('a', '127.101.0.2', 'host-1'));
    expect(index.hostOf('127.101.0.2')).toBeUndefined();
  });

  it('follows a pod getting its address, finishing and going; of two claiming an address the newer wins', () => {
    const index = new PodHostIndex('10.65.0.0/16');
    index.update('shop/a', pod('a', undefined, 'host-1'));
    expect(index.hostOf('10.65.1.2')).toBeUndefined();
    // Bound with the address the scheduler gave it, before its agent reports status.podIP.
    const bound = pod('a', undefined, 'host-1');
    index.update('shop/a', { ...bound, metadata: { ...bound.metadata, annotations: { 'openpacific.io/pod-ip': '10.65.1.2' } } });
    expect(index.hostOf('10.65.1.2')).toBe('host-1');
    index.update('shop/a', pod('a', '10.65.1.2', 'host-1'));
    expect(index.hostOf('10.65.1.2')).toBe('host-1');
    // A finished pod's address may be given again: it no longer counts.
    index.update('shop/a', pod('a', '10.65.1.2', 'host-1', { phase: 'Succeeded' }));
    expect(index.hostOf('10.65.1.2')).toBeUndefined();
    index.update('shop/b', pod('b', '10.65.1.2', 'host-2', { createdAt: '2026-01-01T00:00:05Z' }));
    index.update('shop/c', pod('c', '10.65.1.2', 'host-3', { createdAt: '2026-01-01T00:00:01Z' }));
    expect(index.hostOf('10.65.1.2')).toBe('host-2');
    index.remove('shop/b');
    expect(index.hostOf('10.65.1.2')).toBe('host-3');
    // An address changed: the old one is forgotten.
    index.update('shop/c', pod('c', '10.65.1.7', 'host-3'));
    expect(index.hostOf('10.65.1.2')).toBeUndefined();
    expect(index.hostOf('10.65.1.7')).toBe('host-3');
    index.remove('shop/c');
    index.remove('shop/never');
    expect(index.hostOf('10.65.1.7')).toBeUndefined();
  });
});
