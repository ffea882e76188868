import { useState } from 'preact/hooks';
import { messageOf } from './api';
import { Alert } from './widgets';

/** A button that calls the API; a refusal shows the API's Status message right next to it. */
export function ActionButton(props: { label: string; run: () => Promise<unknown>; class?: string; describedBy?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <span class="action">
      <button
        type="button"
        class={props.class}
        disabled={busy}
        aria-describedby={props.describedBy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await props.run();
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        {props.label}
      </button>
      <Alert message={error} />
    </span>
  );
}
