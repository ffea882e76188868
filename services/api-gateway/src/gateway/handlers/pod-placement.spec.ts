import { POD_IP_ANNOTATION, resourceDefinitions } from '@openpacific/contracts';
import { HOST_EPOCH_ANNOTATION } from '@openpacific/objects';
import { strategyFor } from './kind-strategies';

const podDef = resourceDefinitions.find((d) => d.group === '' && d.kind === 'Pod')!;
const pod = (annotations?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a', ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'busybox' }] },
});
const update = (old: any, next: any) => strategyFor(podDef).prepareUpdate!(old, next);

describe('a pod\'s placement annotations on an update through the API', () => {
  it('keeps the scheduler\'s, whatever the writer sends: another address, none, or its own added', () => {
    const placed = pod({ [POD_IP_ANNOTATION]: '10.64.2.7', [HOST_EPOCH_ANNOTATION]: '3', team: 'a' });
    expect(update(placed, pod({ [POD_IP_ANNOTATION]: '10.64.1.2', team: 'b' })).metadata.annotations).toEqual({ team: 'b', [POD_IP_ANNOTATION]: '10.64.2.7', [HOST_EPOCH_ANNOTATION]: '3' });
    expect(update(placed, pod()).metadata.annotations).toEqual({ [POD_IP_ANNOTATION]: '10.64.2.7', [HOST_EPOCH_ANNOTATION]: '3' });
  });

  it('takes none onto a pod the scheduler has not placed (a gated pod given another namespace\'s address)', () => {
    expect(update(pod({ team: 'a' }), pod({ [POD_IP_ANNOTATION]: '10.64.1.2', team: 'a' })).metadata.annotations).toEqual({ team: 'a' });
  });

  it('leaves any other update as sent', () => {
    const next = pod({ team: 'b' });
    expect(update(pod({ team: 'a' }), next)).toBe(next);
  });
});
