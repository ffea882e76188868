import { useEffect, useState } from 'preact/hooks';
import { getJson, messageOf } from '../api';
import { Alert, Head } from '../widgets';

const FIELDS = [
  ['user', 'User'],
  ['verb', 'Verb'],
  ['resource', 'Resource'],
  ['namespace', 'Namespace'],
] as const;
const LIMIT = 200;

/**
 * The audit records (admins only: the navigation hides it from anyone who may not list them), filtered by
 * the server with field selectors. Records cannot be watched (the API serves get and list), so the newest
 * page (newest first) is read when the filter is applied or on Refresh, older pages on request.
 */
export function AuditPage() {
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [filter, setFilter] = useState<Record<string, string>>({});
  const [records, setRecords] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  const [loads, setLoads] = useState(0);
  const [cont, setCont] = useState<string>();
  const selectorOf = (filter: Record<string, string>) =>
    FIELDS.filter(([f]) => filter[f]?.trim())
      .map(([f]) => `${f}=${filter[f].trim()}`)
      .join(',');
  const load = (more?: string) => {
    const q = new URLSearchParams({ limit: String(LIMIT) });
    const selector = selectorOf(filter);
    if (selector) q.set('fieldSelector', selector);
    if (more) q.set('continue', more);
    getJson(`/apis/audit.openpacific.io/v1/auditrecords?${q}`).then(
      (list) => {
        setRecords((before) => [...(more ? before : []), ...(list.items ?? [])]);
        setCont(list.metadata?.continue || undefined);
        setError(undefined);
      },
      (err) => setError(messageOf(err)),
    );
  };
  useEffect(() => load(), [filter, loads]);
  return (
    <>
      <h1>Audit</h1>
      <form
        class="inline"
        role="search"
        aria-label="Filter audit records"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...draft });
        }}
      >
        {FIELDS.map(([f, label]) => (
          <span key={f}>
            <label for={`audit-${f}`}>{label}</label>
            <input id={`audit-${f}`} value={draft[f] ?? ''} onInput={(e) => setDraft({ ...draft, [f]: e.currentTarget.value })} />
          </span>
        ))}
        <button type="submit">Filter</button>
        <button type="button" onClick={() => setLoads(loads + 1)}>
          Refresh
        </button>
      </form>
      <Alert message={error} />
      <table>
        <caption>Audit records, newest first</caption>
        <Head names={['Time', 'User', 'Verb', 'Resource', 'Namespace', 'Name', 'Decision', 'Code']} />
        <tbody>
          {records.map((r) => (
            <tr key={r.metadata.name}>
              <td>{r.time}</td>
              <td>{r.user}</td>
              <td>{r.verb}</td>
              <td>{r.resource ? `${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.apiGroup ? `.${r.apiGroup}` : ''}` : r.path}</td>
              <td>{r.namespace}</td>
              <td>{r.name}</td>
              <td>{r.decision}</td>
              <td>{r.code}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cont && (
        <button type="button" onClick={() => load(cont)}>
          Show older records
        </button>
      )}
    </>
  );
}
