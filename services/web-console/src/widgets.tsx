import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { formatQuantity } from './quantity';

/** An action's or a list's failure: the API's Status message, announced. */
export function Alert(props: { message?: string }) {
  if (!props.message) return null;
  return (
    <p role="alert" class="alert">
      {props.message}
    </p>
  );
}

/** Used vs total as a meter with the numbers in words (not by colour alone). */
export function Usage(props: { label: string; used: number; total: number; resource: string }) {
  const { label, used, total, resource } = props;
  const text = total > 0 ? `${formatQuantity(used, resource)} of ${formatQuantity(total, resource)}` : `${formatQuantity(used, resource)} (no limit)`;
  const ratio = total > 0 ? used / total : 0;
  return (
    <div class="usage">
      <span class="usage-label">{label}</span>
      <meter aria-label={`${label}: ${text}`} min={0} max={Math.max(total, used, 1)} value={used} low={total * 0.75} high={total * 0.9} optimum={0} />
      <span class="usage-text">
        {text}
        {ratio >= 0.9 ? ' (nearly full)' : ''}
      </span>
    </div>
  );
}

/** A table's column headers. */
export function Head(props: { names: readonly string[] }) {
  return (
    <thead>
      <tr>
        {props.names.map((n) => (
          <th scope="col" key={n}>
            {n}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function conditionOf(obj: any, type: string): any {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

export function ConditionsTable(props: { conditions?: any[]; caption?: string }) {
  const conditions = props.conditions ?? [];
  if (conditions.length === 0) return <p>No conditions.</p>;
  return (
    <table>
      <caption>{props.caption ?? 'Conditions'}</caption>
      <Head names={['Type', 'Status', 'Reason', 'Message', 'Last transition']} />
      <tbody>
        {conditions.map((c) => (
          <tr key={c.type}>
            <th scope="row">{c.type}</th>
            <td>{c.status}</td>
            <td>{c.reason ?? ''}</td>
            <td>{c.message ?? ''}</td>
            <td>{c.lastTransitionTime ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A modal dialog (Escape closes it) asking to confirm an action. */
export function ConfirmDialog(props: { title: string; children: ComponentChildren; confirm: string; onConfirm: () => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onClose={props.onClose}>
      <h2 id="confirm-title">{props.title}</h2>
      {props.children}
      <div class="buttons">
        <button type="button" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={() => { props.onConfirm(); ref.current?.close(); }}>
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}

export function age(timestamp?: string): string {
  if (!timestamp) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
