import type { StoredObject } from '@openpacific/objects';
import { holdOn, HostView, letGo } from './filters';

/**
 * What each host holds (requests, pods, owners), kept as pods and VMs change rather than counted afresh on
 * every pass. A pass used to walk every pod and VM of the cluster to build the hosts' views, so a burst of
 * 10,000 pods, scheduled in hundreds of passes, walked pods as the square of the burst (about 8 s of the
 * scheduler's CPU in the `burst` benchmark). Each workload is counted under a key (its stream) on at most one
 * host; counting it again replaces what was counted.
 */
export class HostTallies {
  private readonly byHost = new Map<string, HostView>();
  private readonly where = new Map<string, HostView>();

  /** From now on `key` holds `workload` on `host`; with no host, it holds nothing anywhere. */
  count(key: string, host: string | undefined, workload?: any): void {
    const was = this.where.get(key);
    if (was) {
      letGo(was, key);
      this.where.delete(key);
    }
    if (host === undefined) return;
    const view = this.view(host);
    holdOn(view, workload, key);
    this.where.set(key, view);
  }

  /** The hosts' views, each with the host object given (hosts are replaced on every heartbeat). */
  views(hosts: StoredObject[]): HostView[] {
    return hosts.map((s) => {
      const view = this.view(s.object.metadata.name);
      view.host = s.object;
      return view;
    });
  }

  private view(name: string): HostView {
    let view = this.byHost.get(name);
    if (!view) this.byHost.set(name, (view = { name, host: undefined, used: { cpuMillis: 0, memoryBytes: 0, pods: 0 }, pods: new Map(), owners: new Map() }));
    return view;
  }
}
