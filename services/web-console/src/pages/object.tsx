import { useEffect, useState } from 'preact/hooks';
import { stringify } from 'yaml';
import { messageOf } from '../api';
import { collectionPath, parseObjectPath, ResourceInfo, resourceOfRef } from '../discovery';
import { useLiveList, useResource } from '../hooks';
import { Link } from '../router';
import { age, Alert, ConditionsTable, Head } from '../widgets';
import { HistoryTimeline } from './history';
import { ObjectActions } from './object-actions';

/** Any object: spec and status as YAML, conditions, live Events, the history timeline and the actions. */
export function ObjectPage(props: { apiPath: string }) {
  const ref = parseObjectPath(props.apiPath);
  const [info, setInfo] = useState<ResourceInfo>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!ref) return;
    resourceOfRef(ref).then(setInfo, (err) => setError(messageOf(err)));
  }, [props.apiPath]);
  const list = useLiveList(info, ref?.namespace, { fieldSelector: ref ? `metadata.name=${ref.name}` : undefined });
  if (!ref) return <Alert message={`“${props.apiPath}” is not the path of an object.`} />;
  const object = list.items.find((o) => o.metadata.name === ref.name);
  const title = `${info?.kind ?? ref.plural} ${ref.name}`;
  return (
    <>
      <p class="breadcrumb">
        {ref.namespace ? <Link to={`namespaces/${encodeURIComponent(ref.namespace)}`}>Namespace {ref.namespace}</Link> : <Link to="hosts">Hosts</Link>}
      </p>
      <h1>{title}</h1>
      <Alert message={error ?? list.error} />
      {list.loaded && !object && !list.error && <p role="status">{title} does not exist (any more); its history is below.</p>}
      {!list.loaded && !list.error && <p role="status">Loading…</p>}
      {object && info && (
        <>
          <Summary object={object} />
          <ObjectActions apiPath={collectionPath(info, ref.namespace) + `/${encodeURIComponent(ref.name)}`} info={info} object={object} />
          <section aria-labelledby="conditions-heading">
            <h2 id="conditions-heading">Conditions</h2>
            <ConditionsTable conditions={object.status?.conditions} />
          </section>
          <section aria-labelledby="yaml-heading">
            <h2 id="yaml-heading">YAML</h2>
            <h3>Spec</h3>
            <pre class="yaml" aria-label="Spec YAML" tabIndex={0}>{object.spec ? stringify(object.spec) : '(none)'}</pre>
            <h3>Status</h3>
            <pre class="yaml" aria-label="Status YAML" tabIndex={0}>{object.status ? stringify(object.status) : '(none)'}</pre>
            <details>
              <summary>Whole object</summary>
              <pre class="yaml">{stringify(object)}</pre>
            </details>
          </section>
          {ref.namespace && <Events namespace={ref.namespace} name={ref.name} kind={info.kind} />}
        </>
      )}
      <HistoryTimeline apiPath={props.apiPath} resourceVersion={object?.metadata.resourceVersion} />
    </>
  );
}

function Summary(props: { object: any }) {
  const m = props.object.metadata;
  const s = props.object.status ?? {};
  return (
    <dl class="summary">
      <dt>Created</dt>
      <dd>
        {m.creationTimestamp} ({age(m.creationTimestamp)} ago)
      </dd>
      {s.powerState !== undefined && (
        <>
          <dt>Power state</dt>
          <dd>{s.powerState}</dd>
        </>
      )}
      {s.phase !== undefined && (
        <>
          <dt>Phase</dt>
          <dd>{s.phase}</dd>
        </>
      )}
      {m.deletionTimestamp && (
        <>
          <dt>Deleting since</dt>
          <dd>{m.deletionTimestamp}</dd>
        </>
      )}
      {Object.keys(m.labels ?? {}).length > 0 && (
        <>
          <dt>Labels</dt>
          <dd>
            {Object.entries(m.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}
          </dd>
        </>
      )}
    </dl>
  );
}

function Events(props: { namespace: string; name: string; kind: string }) {
  const events = useResource('', 'events');
  const list = useLiveList(events.info, props.namespace, { fieldSelector: `involvedObject.name=${props.name},involvedObject.kind=${props.kind}` });
  const items = [...list.items].sort((a, b) => String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')));
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      <Alert message={list.error} />
      {list.loaded && items.length === 0 ? (
        <p>No events.</p>
      ) : (
        <table>
          <Head names={['Last seen', 'Type', 'Reason', 'Message', 'Count']} />
          <tbody>
            {items.map((e) => (
              <tr key={e.metadata.uid}>
                <td>{age(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp)}</td>
                <td>{e.type}</td>
                <td>{e.reason}</td>
                <td>{e.message}</td>
                <td>{e.count ?? 1}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
