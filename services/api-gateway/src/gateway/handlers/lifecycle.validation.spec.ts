import { validateLifecycle } from './lifecycle.validation';

const fields = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('container lifecycle hooks at the API', () => {
  it('take one handler each, an exec with a command, a sleep within the grace period', () => {
    expect(validateLifecycle({ lifecycle: { postStart: { exec: { command: ['true'] } }, preStop: { sleep: { seconds: 5 } } } }, 'spec.containers[0]', 30)).toEqual([]);
    expect(fields(validateLifecycle({ lifecycle: { postStart: {}, preStop: { exec: {}, httpGet: { port: 80 } } } }, 'spec.containers[0]', 30))).toEqual([
      'spec.containers[0].lifecycle.postStart: Required value: must specify a handler type',
      'spec.containers[0].lifecycle.preStop.httpGet: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].lifecycle.preStop.exec.command: Required value',
    ]);
    expect(fields(validateLifecycle({ lifecycle: { preStop: { sleep: { seconds: 40 } } } }, 'spec.initContainers[1]', 30))).toEqual([
      'spec.initContainers[1].lifecycle.preStop.sleep: Invalid value: 40: must be greater than 0 and less than terminationGracePeriodSeconds (30)',
    ]);
  });
});
