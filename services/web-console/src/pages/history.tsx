import { useEffect, useState } from 'preact/hooks';
import { stringify } from 'yaml';
import { getJson, messageOf } from '../api';
import { Alert, Head } from '../widgets';

interface Op {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

/** The value at an RFC 6901 pointer, for showing what a change replaced or removed. */
function at(obj: any, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((o, key) => (o == null ? undefined : o[key]), obj);
}

function show(v: unknown): string {
  if (v === undefined) return '—';
  if (v !== null && typeof v === 'object') return stringify(v).trim();
  return JSON.stringify(v);
}

function field(pointer: string): string {
  return pointer.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * `GET <object path>/history` as a timeline, newest first: what happened, who did it, when, and each
 * change as field, before, after. Reloaded when the object's resourceVersion moves (the page's watch).
 */
export function HistoryTimeline(props: { apiPath: string; resourceVersion?: string }) {
  const [items, setItems] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    getJson(`${props.apiPath}/history`).then(
      (h) => live && (setItems(h.items ?? []), setError(undefined)),
      (err) => live && setError(messageOf(err)),
    );
    return () => void (live = false);
  }, [props.apiPath, props.resourceVersion]);

  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <Alert message={error} />
      <ol class="timeline" aria-label="History" reversed>
        {items
          .map((item, i) => ({ item, before: i > 0 ? items[i - 1].object : undefined }))
          .reverse()
          .map(({ item, before }) => (
            <li key={item.resourceVersion}>
              <h3>
                {describe(item.type)} by {item.actor || 'the system'}
              </h3>
              <p>
                <time dateTime={item.time}>{new Date(item.time).toLocaleString()}</time> · revision {item.resourceVersion}
              </p>
              <Changes ops={item.changes ?? []} before={before} />
            </li>
          ))}
      </ol>
    </section>
  );
}

function describe(type: string): string {
  return (
    { ResourceCreated: 'Created', ResourceUpdated: 'Changed', ResourceStatusUpdated: 'Status changed', ResourceDeletionStarted: 'Deletion started', ResourceDeleted: 'Deleted' }[
      type
    ] ?? type
  );
}

function Changes(props: { ops: Op[]; before: any }) {
  if (props.ops.length === 0) return null;
  return (
    <table class="changes">
      <Head names={['Field', 'Change', 'Before', 'After']} />
      <tbody>
        {props.ops.map((op, i) => (
          <tr key={i}>
            <th scope="row">
              <code>{field(op.path)}</code>
            </th>
            <td>{{ add: 'added', remove: 'removed', replace: 'changed', move: 'moved', copy: 'copied' }[op.op] ?? op.op}</td>
            <td>
              <pre>{op.op === 'add' ? '—' : show(at(props.before, op.path))}</pre>
            </td>
            <td>
              <pre>{op.op === 'remove' ? '—' : show(op.value)}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
