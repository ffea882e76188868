import { useState } from 'preact/hooks';
import { useLiveList, useResource } from '../hooks';
import { parseQuantity } from '../quantity';
import { Link, navigate } from '../router';
import { Alert, Usage } from '../widgets';

function countBy(items: any[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of items) counts.set(o.metadata.namespace, (counts.get(o.metadata.namespace) ?? 0) + 1);
  return counts;
}

/** Every namespace the user may list, its quota usage as bars and how many VMs, pods and TKCs it holds. */
export function NamespacesPage() {
  const nsRes = useResource('', 'namespaces');
  const quotaRes = useResource('', 'resourcequotas');
  const podRes = useResource('', 'pods');
  const vmRes = useResource('vmoperator.vmware.com', 'virtualmachines');
  const tkcRes = useResource('run.tanzu.vmware.com', 'tanzukubernetesclusters');
  const namespaces = useLiveList(nsRes.info);
  const quotas = useLiveList(quotaRes.info);
  const pods = countBy(useLiveList(podRes.info).items);
  const vms = countBy(useLiveList(vmRes.info).items);
  const tkcs = countBy(useLiveList(tkcRes.info).items);
  const [open, setOpen] = useState('');
  return (
    <>
      <h1>Namespaces</h1>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (open.trim()) navigate(`namespaces/${encodeURIComponent(open.trim())}`);
        }}
      >
        <label for="open-ns">Open namespace</label>
        <input id="open-ns" value={open} onInput={(e) => setOpen(e.currentTarget.value)} />
        <button type="submit">Open</button>
      </form>
      <Alert message={namespaces.error} />
      {!namespaces.loaded && !namespaces.error && <p role="status">Loading namespaces…</p>}
      <ul class="cards" aria-label="Namespaces">
        {namespaces.items.map((ns) => {
          const name = ns.metadata.name;
          const nsQuotas = quotas.items.filter((q) => q.metadata.namespace === name);
          return (
            <li key={name}>
              <section class="card" aria-labelledby={`ns-${name}`}>
                <h2 id={`ns-${name}`}>
                  <Link to={`namespaces/${encodeURIComponent(name)}`}>{name}</Link>
                </h2>
                <p>
                  {ns.status?.phase ?? 'Active'} · {vms.get(name) ?? 0} VMs · {pods.get(name) ?? 0} pods · {tkcs.get(name) ?? 0} TKCs
                </p>
                {nsQuotas.map((q) => (
                  <QuotaBars key={q.metadata.name} quota={q} />
                ))}
              </section>
            </li>
          );
        })}
      </ul>
    </>
  );
}

export function QuotaBars(props: { quota: any }) {
  const hard = props.quota.status?.hard ?? props.quota.spec?.hard ?? {};
  const used = props.quota.status?.used ?? {};
  return (
    <div class="quota" role="group" aria-label={`Quota ${props.quota.metadata.name}`}>
      <h3>Quota {props.quota.metadata.name}</h3>
      {Object.keys(hard)
        .sort()
        .map((r) => (
          <Usage key={r} label={r} used={parseQuantity(used[r] ?? 0)} total={parseQuantity(hard[r])} resource={r} />
        ))}
    </div>
  );
}
