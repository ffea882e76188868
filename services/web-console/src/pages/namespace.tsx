import { useState } from 'preact/hooks';
import { objectPath } from '../discovery';
import { useLiveList, useResource, useUsage } from '../hooks';
import { formatQuantity } from '../quantity';
import type { UsageReading } from '../usage';
import { Link, objectRoute } from '../router';
import { Column, VirtualTable } from '../virtual-table';
import { age, Alert, conditionOf } from '../widgets';
import { QuotaBars } from './namespaces';

function readyText(o: any): string {
  const c = conditionOf(o, 'Ready');
  return c ? `${c.status === 'True' ? 'Ready' : 'Not ready'}${c.reason ? ` (${c.reason})` : ''}` : '—';
}

interface SectionProps {
  id: string;
  title: string;
  group: string;
  plural: string;
  namespace: string;
  query: Record<string, string>;
  empty: string;
  columns: Column<any>[];
}

/** One kind in the namespace: a live list (its own watch) in a virtualized table, Name first and Age last. */
function LiveSection(p: SectionProps) {
  const res = useResource(p.group, p.plural);
  const list = useLiveList(res.info, p.namespace, p.query);
  const info = res.info;
  const name: Column<any> = {
    header: 'Name',
    cell: (o) => (info ? <Link to={objectRoute(objectPath(info, o.metadata.namespace, o.metadata.name))}>{o.metadata.name}</Link> : o.metadata.name),
  };
  return (
    <section aria-labelledby={`${p.id}-heading`}>
      <h2 id={`${p.id}-heading`}>{p.title}</h2>
      <Alert message={res.error ?? list.error} />
      <VirtualTable
        label={p.title}
        rows={list.items}
        total={list.total}
        rowKey={(o) => o.metadata.uid}
        empty={list.loaded ? p.empty : 'Loading…'}
        columns={[name, ...p.columns, { header: 'Age', cell: (o) => age(o.metadata.creationTimestamp) }]}
      />
    </section>
  );
}

const VM_COLUMNS: Column<any>[] = [
  { header: 'Power state', cell: (o) => o.status?.powerState ?? '—' },
  { header: 'Requested power', cell: (o) => o.spec?.powerState ?? '' },
  { header: 'Class', cell: (o) => o.spec?.className ?? '' },
  { header: 'Host', cell: (o) => o.status?.nodeName ?? o.status?.host ?? '' },
  { header: 'IP', cell: (o) => o.status?.network?.primaryIP4 ?? o.status?.vmIp ?? '' },
];
const POD_COLUMNS: Column<any>[] = [
  { header: 'Phase', cell: (o) => o.status?.phase ?? 'Pending' },
  { header: 'Ready', cell: readyText },
  { header: 'Node', cell: (o) => o.spec?.nodeName ?? '' },
  { header: 'IP', cell: (o) => o.status?.podIP ?? '' },
];

/** A pod's CPU and memory as `kubectl top pod` shows them (millicores, Mi), or a dash before its first sample. */
function usageColumns(usage: Map<string, UsageReading>): Column<any>[] {
  const of = (o: any) => usage.get(`${o.metadata.namespace}/${o.metadata.name}`);
  return [
    { header: 'CPU', cell: (o) => (of(o) ? `${Math.round(of(o)!.cpu * 1000)}m` : '—') },
    { header: 'Memory', cell: (o) => (of(o) ? formatQuantity(of(o)!.memory, 'memory') : '—') },
  ];
}
const TKC_COLUMNS: Column<any>[] = [
  { header: 'Phase', cell: (o) => o.status?.phase ?? '' },
  { header: 'Ready', cell: readyText },
  { header: 'Control plane', cell: (o) => String(o.spec?.topology?.controlPlane?.replicas ?? '') },
  { header: 'Node pools', cell: (o) => (o.spec?.topology?.nodePools ?? []).map((p: any) => `${p.name}: ${p.replicas ?? 0}`).join(', ') },
];
const MACHINE_COLUMNS: Column<any>[] = [
  { header: 'Cluster', cell: (o) => o.spec?.clusterName ?? o.metadata.labels?.['cluster.x-k8s.io/cluster-name'] ?? '' },
  { header: 'Phase', cell: (o) => o.status?.phase ?? '' },
  { header: 'Node', cell: (o) => o.status?.nodeRef?.name ?? '' },
];

/** One namespace: its VMs, pods, guest clusters and their machines, live and filtered by the server. */
export function NamespacePage(props: { namespace: string }) {
  const ns = props.namespace;
  const [labels, setLabels] = useState('');
  const [fields, setFields] = useState('');
  const [applied, setApplied] = useState({ labelSelector: '', fieldSelector: '' });
  const quotaRes = useResource('', 'resourcequotas');
  const quotas = useLiveList(quotaRes.info, ns);
  const byLabel = { labelSelector: applied.labelSelector };
  const usage = useUsage('pods', ns);
  return (
    <>
      <h1>Namespace {ns}</h1>
      <p>
        <Link to={`create?namespace=${encodeURIComponent(ns)}`}>Create from YAML in {ns}</Link>
      </p>
      {quotas.items.map((q) => (
        <QuotaBars key={q.metadata.name} quota={q} />
      ))}
      <form
        class="inline"
        role="search"
        aria-label="Filter"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ labelSelector: labels.trim(), fieldSelector: fields.trim() });
        }}
      >
        <label for="label-selector">Label selector</label>
        <input id="label-selector" placeholder="app=web" value={labels} onInput={(e) => setLabels(e.currentTarget.value)} />
        <label for="field-selector">Pod field selector</label>
        <input id="field-selector" placeholder="status.phase=Running" value={fields} onInput={(e) => setFields(e.currentTarget.value)} />
        <button type="submit">Filter</button>
      </form>
      <LiveSection id="vms" title="Virtual machines" group="vmoperator.vmware.com" plural="virtualmachines" namespace={ns} query={byLabel} empty="No virtual machines." columns={VM_COLUMNS} />
      <Alert message={usage.error && `Pod usage: ${usage.error}`} />
      <LiveSection id="pods" title="Pods" group="" plural="pods" namespace={ns} query={applied} empty="No pods." columns={[...POD_COLUMNS, ...usageColumns(usage.byName)]} />
      <LiveSection id="tkcs" title="Tanzu Kubernetes clusters" group="run.tanzu.vmware.com" plural="tanzukubernetesclusters" namespace={ns} query={byLabel} empty="No clusters." columns={TKC_COLUMNS} />
      <LiveSection id="machines" title="Machines" group="cluster.x-k8s.io" plural="machines" namespace={ns} query={byLabel} empty="No machines." columns={MACHINE_COLUMNS} />
    </>
  );
}
