import { procStatCpuNanos, procUsage, statField, vmRssBytes, workingSet } from './container-usage';

describe('container usage from cgroup and /proc files', () => {
  const memoryStatV1 = 'cache 12095488\nrss 4431872\ninactive_file 167936\nactive_file 1937408\ntotal_cache 12095488\ntotal_inactive_file 200704\n';

  it('reads a field of a cgroup stat file, whole keys only', () => {
    expect(statField(memoryStatV1, 'inactive_file')).toBe(167936);
    expect(statField(memoryStatV1, 'total_inactive_file')).toBe(200704);
    expect(statField('usage_usec 5321\nuser_usec 4000\n', 'usage_usec')).toBe(5321);
    expect(statField(memoryStatV1, 'swap')).toBeUndefined();
  });

  it('takes the working set as cAdvisor does: usage less inactive file pages (v1 total_, v2 plain), never below zero', () => {
    expect(workingSet(10_000_000, memoryStatV1)).toBe(10_000_000 - 200704);
    expect(workingSet(10_000_000, 'anon 123\ninactive_file 4096\n')).toBe(10_000_000 - 4096);
    expect(workingSet(4096, 'inactive_file 8192\n')).toBe(0);
    expect(workingSet(4096, '')).toBe(4096);
  });

  it('counts a process\'s user, system and reaped children\'s time from its stat line, whatever its name holds', () => {
    // Fields 14-17 (utime stime cutime cstime) are 150 50 30 20 ticks: 250 ticks of 10 ms.
    const stat = '4242 (sh -c (busy)) R 1 4242 4242 0 -1 4194304 100 0 0 0 150 50 30 20 20 0 1 0 12345 1000000 200 18446744073709551615';
    expect(procStatCpuNanos(stat)).toBe(2.5e9);
  });

  it('reads resident memory from a status file, none for a kernel thread', () => {
    expect(vmRssBytes('Name:\tsh\nVmRSS:\t    1536 kB\nRssAnon:\t 512 kB\n')).toBe(1536 * 1024);
    expect(vmRssBytes('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBe(0);
  });

  it('sums the processes it can still read, and leaves out those gone', () => {
    const self = procUsage([process.pid]);
    expect(self.memoryWorkingSetBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(procUsage([process.pid, 2 ** 22 + 1]).memoryWorkingSetBytes).toBeGreaterThan(0);
    expect(procUsage([2 ** 22 + 1])).toEqual({ cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 });
  });
});
