import { LB_EVENTS, serviceEventBody, syncFailed } from './guest-service-events';

const web = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', uid: 'svc-uid', resourceVersion: '42' }, spec: { type: 'LoadBalancer' } };
const now = new Date('2026-12-06T10:00:00.123Z');

describe('the Event the guest cloud provider posts about a guest Service', () => {
  it('is a service-controller Event in the Service\'s namespace about that Service, seen once now', () => {
    const body = serviceEventBody(web, LB_EVENTS.ensuring, now);
    expect(body).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: expect.stringMatching(/^web\.[0-9a-f]+$/), namespace: 'shop' },
      involvedObject: { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'shop', uid: 'svc-uid', resourceVersion: '42' },
      type: 'Normal',
      reason: 'EnsuringLoadBalancer',
      message: 'Ensuring load balancer',
      source: { component: 'service-controller' },
      reportingComponent: 'service-controller',
      firstTimestamp: '2026-12-06T10:00:00Z',
      lastTimestamp: '2026-12-06T10:00:00Z',
      count: 1,
    });
  });

  it('carries the reasons and messages Kubernetes\' service controller uses', () => {
    expect(Object.values(LB_EVENTS).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer'],
      ['Normal', 'EnsuredLoadBalancer', 'Ensured load balancer'],
      ['Normal', 'DeletingLoadBalancer', 'Deleting load balancer'],
      ['Normal', 'DeletedLoadBalancer', 'Deleted load balancer'],
    ]);
    const failed = serviceEventBody(web, syncFailed('failed to update load balancer status: forbidden'), now);
    expect([failed.type, failed.reason, failed.message]).toEqual(['Warning', 'SyncLoadBalancerFailed', 'Error syncing load balancer: failed to update load balancer status: forbidden']);
  });

  it('names each Event apart, in the order they were made, so that two are never one', () => {
    const first = serviceEventBody(web, LB_EVENTS.ensuring, now).metadata.name;
    const second = serviceEventBody(web, LB_EVENTS.ensured, now).metadata.name;
    expect(second).not.toBe(first);
    expect(BigInt(`0x${second.split('.')[1]}`)).toBeGreaterThan(BigInt(`0x${first.split('.')[1]}`));
  });

  it('leaves resourceVersion out when the Service as read had none', () => {
    const { resourceVersion: _, ...metadata } = web.metadata;
    expect(serviceEventBody({ ...web, metadata }, LB_EVENTS.ensured, now).involvedObject).not.toHaveProperty('resourceVersion');
  });
});
