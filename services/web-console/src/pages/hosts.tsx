import { MERGE_PATCH, request } from '../api';
import { ActionButton } from '../action';
import { objectPath, ResourceInfo } from '../discovery';
import { useCan, useLiveList, useResource, useUsage } from '../hooks';
import { formatQuantity, parseQuantity, podRequest } from '../quantity';
import { Link, objectRoute } from '../router';
import type { UsageReading } from '../usage';
import { Alert, conditionOf, Usage } from '../widgets';

const SHOWN = 50;

/** Inventory: every host with its state, capacity, what its pods request, and what runs on it. */
export function HostsPage() {
  const hostRes = useResource('infrastructure.openpacific.io', 'hosts');
  const podRes = useResource('', 'pods');
  const vmRes = useResource('vmoperator.vmware.com', 'virtualmachines');
  const hosts = useLiveList(hostRes.info);
  const pods = useLiveList(podRes.info);
  const vms = useLiveList(vmRes.info);
  const mayCordon = useCan({ verb: 'patch', group: 'infrastructure.openpacific.io', resource: 'hosts' });
  const usage = useUsage('nodes');
  return (
    <>
      <h1>Hosts</h1>
      <Alert message={hostRes.error ?? hosts.error} />
      <Alert message={pods.error && `Pods: ${pods.error}`} />
      <Alert message={vms.error && `Virtual machines: ${vms.error}`} />
      <Alert message={usage.error && `Usage: ${usage.error}`} />
      {!hosts.loaded && !hosts.error && <p role="status">Loading hosts…</p>}
      {hosts.loaded && hosts.items.length === 0 && <p>No hosts have registered.</p>}
      <ul class="cards" aria-label="Hosts">
        {hosts.items.map((h) => {
          const name = h.metadata.name;
          return (
            <li key={name}>
              <HostCard
                host={h}
                info={hostRes.info!}
                pods={pods.items.filter((p) => p.spec?.nodeName === name)}
                vms={vms.items.filter((v) => (v.status?.nodeName ?? v.status?.host) === name)}
                mayCordon={mayCordon}
                usage={usage.byName.get(name)}
                podInfo={podRes.info}
                vmInfo={vmRes.info}
              />
            </li>
          );
        })}
      </ul>
    </>
  );
}

export function hostState(h: any): string {
  const ready = conditionOf(h, 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return h.spec?.unschedulable ? `${state}, cordoned` : state;
}

function HostCard(props: { host: any; info: ResourceInfo; pods: any[]; vms: any[]; mayCordon: boolean; usage?: UsageReading; podInfo?: ResourceInfo; vmInfo?: ResourceInfo }) {
  const { host, info, pods, vms } = props;
  const name = host.metadata.name;
  const cap = host.status?.capacity ?? {};
  const alloc = host.status?.allocatable ?? cap;
  const path = objectPath(info, undefined, name);
  const running = pods.filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase));
  const cordon = (unschedulable: boolean) =>
    request(path, { method: 'PATCH', contentType: MERGE_PATCH, body: { spec: { unschedulable: unschedulable || null } } });
  return (
    <section aria-labelledby={`host-${name}`} class="card">
      <h2 id={`host-${name}`}>
        <Link to={objectRoute(path)}>{name}</Link>
      </h2>
      <p>
        State: <strong class={`state state-${hostState(host).split(',')[0]}`}>{hostState(host)}</strong>
      </p>
      <p>
        Capacity: {formatQuantity(parseQuantity(cap.cpu), 'cpu')} CPU, {formatQuantity(parseQuantity(cap.memory), 'memory')} memory, {cap.pods ?? '?'} pods
      </p>
      <Usage label="CPU requested" used={running.reduce((s, p) => s + podRequest(p, 'cpu'), 0)} total={parseQuantity(alloc.cpu)} resource="cpu" />
      <Usage label="Memory requested" used={running.reduce((s, p) => s + podRequest(p, 'memory'), 0)} total={parseQuantity(alloc.memory)} resource="memory" />
      {props.usage ? (
        <>
          <Usage label="CPU used" used={props.usage.cpu} total={parseQuantity(alloc.cpu)} resource="cpu" />
          <Usage label="Memory used" used={props.usage.memory} total={parseQuantity(alloc.memory)} resource="memory" />
        </>
      ) : (
        <p>Usage: no sample yet</p>
      )}
      {props.mayCordon && (
        <ActionButton label={host.spec?.unschedulable ? `Uncordon ${name}` : `Cordon ${name}`} run={() => cordon(!host.spec?.unschedulable)} />
      )}
      {props.podInfo && <Workloads title={`Pods on ${name}`} items={running} info={props.podInfo} />}
      {props.vmInfo && <Workloads title={`Virtual machines on ${name}`} items={vms} info={props.vmInfo} />}
    </section>
  );
}

function Workloads(props: { title: string; items: any[]; info: ResourceInfo }) {
  const { items } = props;
  return (
    <details>
      <summary>
        {props.title}: {items.length}
      </summary>
      <ul>
        {items.slice(0, SHOWN).map((o) => (
          <li key={o.metadata.uid}>
            <Link to={objectRoute(objectPath(props.info, o.metadata.namespace, o.metadata.name))}>
              {o.metadata.namespace}/{o.metadata.name}
            </Link>{' '}
            ({o.status?.phase ?? o.status?.powerState ?? 'pending'})
          </li>
        ))}
      </ul>
      {items.length > SHOWN && <p>and {items.length - SHOWN} more (see each namespace).</p>}
    </details>
  );
}
