import { useState } from 'preact/hooks';
import { parseAllDocuments } from 'yaml';
import { getJson, messageOf } from '../api';
import { collectionPath, objectPath, resourceForKind } from '../discovery';
import { Link, objectRoute } from '../router';

interface Outcome {
  label: string;
  ok: boolean;
  message: string;
  path?: string;
}

/** Create one document: its apiVersion/kind mapped to a resource path through discovery. */
async function createOne(doc: any, defaultNamespace: string): Promise<Outcome> {
  const label = `${doc?.kind ?? '?'} ${doc?.metadata?.name ?? doc?.metadata?.generateName ?? ''}`.trim();
  if (!doc || typeof doc !== 'object' || !doc.apiVersion || !doc.kind) return { label, ok: false, message: 'the document needs apiVersion and kind' };
  try {
    const info = await resourceForKind(doc.apiVersion, doc.kind);
    const namespace = info.namespaced ? (doc.metadata?.namespace ?? defaultNamespace) : undefined;
    if (info.namespaced && !namespace) return { label, ok: false, message: 'metadata.namespace: Required value: choose a namespace' };
    const created = await getJson(collectionPath(info, namespace), { method: 'POST', body: doc });
    return { label, ok: true, message: 'created', path: objectPath(info, namespace, created.metadata.name) };
  } catch (err) {
    return { label, ok: false, message: messageOf(err) };
  }
}

/** Create from YAML: any kind, several documents applied in order, each one's outcome shown. */
export function CreatePage() {
  const [namespace, setNamespace] = useState(() => new URLSearchParams(location.search).get('namespace') ?? '');
  const [text, setText] = useState('');
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    const results: Outcome[] = [];
    const docs = parseAllDocuments(text);
    for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
      if (d.errors.length > 0) results.push({ label: `document ${i + 1}`, ok: false, message: `YAML: ${d.errors[0].message}` });
      else if (d.contents !== null) results.push(await createOne(d.toJS(), namespace.trim()));
      setOutcomes([...results]);
    }
    if (results.length === 0) setOutcomes([{ label: 'YAML', ok: false, message: 'there is no document to create' }]);
    setBusy(false);
  }

  return (
    <>
      <h1>Create from YAML</h1>
      <form
        class="editor"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <label for="create-namespace">Namespace (for documents that name none)</label>
        <input id="create-namespace" value={namespace} onInput={(e) => setNamespace(e.currentTarget.value)} />
        <label for="create-yaml">YAML</label>
        <textarea id="create-yaml" rows={24} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
        <button type="submit" disabled={busy}>
          Create
        </button>
      </form>
      {outcomes.length > 0 && (
        <section aria-labelledby="outcomes-heading">
          <h2 id="outcomes-heading">Results</h2>
          <ol class="outcomes">
            {outcomes.map((o, i) => (
              <li key={i} role={o.ok ? undefined : 'alert'} class={o.ok ? 'ok' : 'alert'}>
                {o.ok ? '✓ ' : '✗ '}
                {o.path ? <Link to={objectRoute(o.path)}>{o.label}</Link> : o.label}: {o.message}
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
