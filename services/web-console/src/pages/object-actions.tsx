import { useEffect, useState } from 'preact/hooks';
import { parse, stringify } from 'yaml';
import { JSON_PATCH, MERGE_PATCH, messageOf, request } from '../api';
import { ActionButton } from '../action';
import type { ResourceInfo } from '../discovery';
import { useCan } from '../hooks';
import { navigate } from '../router';
import { Alert, ConfirmDialog } from '../widgets';
import { OpenConsoleAction } from './vm-console';

interface Props {
  apiPath: string;
  info: ResourceInfo;
  object: any;
}

function access(p: Props, verb: string) {
  return { verb, group: p.info.group, resource: p.info.plural, namespace: p.object.metadata.namespace, name: p.object.metadata.name };
}

/** The actions the API allows this user on the object; a user who may not, sees no button. */
export function ObjectActions(p: Props) {
  const mayUpdate = useCan(access(p, 'update'));
  const mayPatch = useCan(access(p, 'patch'));
  const mayDelete = useCan(access(p, 'delete'));
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string>();
  const kind = p.info.kind;
  const patch = (body: unknown, contentType = MERGE_PATCH) => request(p.apiPath, { method: 'PATCH', contentType, body });
  const remove = async () => {
    try {
      await request(p.apiPath, { method: 'DELETE' });
      const ns = p.object.metadata.namespace;
      navigate(ns ? `namespaces/${encodeURIComponent(ns)}` : 'hosts');
    } catch (err) {
      setDeleteError(messageOf(err));
    }
  };
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      <div class="buttons" role="group" aria-label="Actions">
        {mayPatch && kind === 'VirtualMachine' && (
          <>
            <ActionButton label="Power on" run={() => patch({ spec: { powerState: 'PoweredOn' } })} />
            <ActionButton label="Power off" run={() => patch({ spec: { powerState: 'PoweredOff' } })} />
            <ActionButton label="Restart" run={() => patch({ spec: { nextRestartTime: 'now' } })} />
          </>
        )}
        {kind === 'VirtualMachine' && p.object.metadata.namespace && <OpenConsoleAction vm={p.object} />}
        {mayPatch && kind === 'Host' && (
          <ActionButton
            label={p.object.spec?.unschedulable ? 'Uncordon' : 'Cordon'}
            run={() => patch({ spec: { unschedulable: p.object.spec?.unschedulable ? null : true } })}
          />
        )}
        {mayUpdate && (
          <button type="button" onClick={() => setEditing(true)} aria-expanded={editing}>
            Edit
          </button>
        )}
        {mayDelete && (
          <span class="action">
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              Delete
            </button>
            <Alert message={deleteError} />
          </span>
        )}
      </div>
      {mayPatch && kind === 'TanzuKubernetesCluster' && <ScalePools {...p} patch={patch} />}
      {editing && <Editor {...p} onDone={() => setEditing(false)} />}
      {confirming && (
        <ConfirmDialog title={`Delete ${kind} ${p.object.metadata.name}?`} confirm="Delete" onConfirm={() => void remove()} onClose={() => setConfirming(false)}>
          <p>This cannot be undone; its history stays in the event log.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function ScalePools(p: Props & { patch: (body: unknown, type?: string) => Promise<unknown> }) {
  const pools: any[] = p.object.spec?.topology?.nodePools ?? [];
  return (
    <div class="pools">
      {pools.map((pool, i) => (
        <ScalePool key={pool.name} pool={pool} index={i} patch={p.patch} />
      ))}
    </div>
  );
}

function ScalePool(props: { pool: any; index: number; patch: (body: unknown, type?: string) => Promise<unknown> }) {
  const { pool, index } = props;
  const [replicas, setReplicas] = useState(String(pool.replicas ?? 0));
  const id = `replicas-${pool.name}`;
  return (
    <div class="inline">
      <label for={id}>Replicas of node pool {pool.name}</label>
      <input id={id} type="number" min={0} value={replicas} onInput={(e) => setReplicas(e.currentTarget.value)} />
      <ActionButton
        label={`Scale ${pool.name}`}
        run={() =>
          props.patch(
            [
              { op: 'test', path: `/spec/topology/nodePools/${index}/name`, value: pool.name },
              { op: 'replace', path: `/spec/topology/nodePools/${index}/replicas`, value: countOf(replicas) },
            ],
            JSON_PATCH,
          )
        }
      />
    </div>
  );
}

/**
 * The count as typed: a number when it reads as one, else the text itself, so the API refuses it and says why
 * (an emptied box must not scale a pool to 0, as Number('') would).
 */
function countOf(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** The object as YAML in a text area; Save PUTs it back (a concurrent change is the API's 409). */
function Editor(p: Props & { onDone: () => void }) {
  const [text, setText] = useState(() => stringify(p.object));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && p.onDone();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [p.onDone]);
  const save = async () => {
    let body: unknown;
    try {
      body = parse(text);
    } catch (err) {
      throw new Error(`The YAML does not parse: ${messageOf(err)}`);
    }
    await request(p.apiPath, { method: 'PUT', body });
    p.onDone();
  };
  return (
    <form class="editor" onSubmit={(e) => e.preventDefault()}>
      <label for="edit-yaml">YAML of {p.object.metadata.name}</label>
      <textarea id="edit-yaml" rows={24} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <div class="buttons">
        <ActionButton label="Save" run={save} />
        <button type="button" onClick={p.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
