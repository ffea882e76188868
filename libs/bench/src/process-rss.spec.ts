import { clusterPids, vmRssKb } from './process-rss';

describe('vmRssKb', () => {
  it('reads VmRSS from /proc/<pid>/status', () => {
    expect(vmRssKb('Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t   81234 kB\nThreads:\t11\n')).toBe(81234);
  });
  it('is 0 without the line', () => {
    expect(vmRssKb('Name:\tkthreadd\n')).toBe(0);
  });
});

describe('clusterPids', () => {
  it('lists services and host processes, and the servers only when the launcher runs them', () => {
    const state: any = {
      services: [{ name: 'scheduler', service: 'scheduler', pid: 10, healthPort: 1 }, { name: 'sim-fleet', service: 'spherelet-agent', pid: 11, healthPort: 2 }],
      hosts: [{ name: 'host-1', pgid: 20, up: true, crxRoot: '', agentPid: 21, runtimePid: 22 }],
      nats: { managed: false, pid: 30 },
      postgres: { managed: true, pid: 40 },
    };
    expect(clusterPids(state)).toEqual({ scheduler: 10, 'sim-fleet': 11, 'host-1/spherelet-agent': 21, 'host-1/crx-runtime': 22, postgres: 40 });
  });
});
