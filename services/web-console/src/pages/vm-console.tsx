import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from '../api';
import { useCan, useResource } from '../hooks';
import { Alert } from '../widgets';
import { consoleUnavailableReason, scrolledToEnd } from '../vm-console-logic';
import { ConsoleStep, OpenedConsole, openVmConsole } from '../vm-console-session';

const WEB_CONSOLE_GROUP = 'vmoperator.vmware.com';
const WEB_CONSOLE_PLURAL = 'virtualmachinewebconsolerequests';

/**
 * "Open console" of a VM, for users who may create VirtualMachineWebConsoleRequests in its namespace. It stays
 * focusable when the VM cannot have one (off, not placed) and says why; a failure shows next to it as an alert.
 */
export function OpenConsoleAction(props: { vm: any }) {
  const namespace: string = props.vm.metadata.namespace;
  const name: string = props.vm.metadata.name;
  const resource = useResource(WEB_CONSOLE_GROUP, WEB_CONSOLE_PLURAL);
  const allowed = useCan(resource.info ? { verb: 'create', group: resource.info.group, resource: resource.info.plural, namespace } : undefined);
  const [step, setStep] = useState<ConsoleStep>();
  const [error, setError] = useState<string>();
  const [opened, setOpened] = useState<OpenedConsole>();
  const opener = useRef<HTMLButtonElement>(null);
  const pending = useRef<AbortController | undefined>(undefined);
  // Leaving the page stops a console being opened and closes an open one.
  useEffect(() => () => pending.current?.abort(), []);
  useEffect(() => (opened ? () => opened.feed.close() : undefined), [opened]);
  if (!allowed || !resource.info) return null;
  const info = resource.info;
  const unavailable = consoleUnavailableReason(props.vm);
  const open = async () => {
    // A second press while one is under way does nothing (the step shows only after the next render).
    if (unavailable || pending.current) return;
    const controller = new AbortController();
    pending.current = controller;
    setError(undefined);
    try {
      const session = await openVmConsole({ resource: info, namespace, vm: name, signal: controller.signal, onStep: setStep });
      if (controller.signal.aborted) session.feed.close();
      else setOpened(session);
    } catch (err) {
      if (!controller.signal.aborted) setError(messageOf(err));
    } finally {
      pending.current = undefined;
      setStep(undefined);
    }
  };
  const hintId = `console-hint-${name}`;
  return (
    <span class="action">
      <button
        ref={opener}
        type="button"
        aria-disabled={unavailable || step ? 'true' : undefined}
        aria-describedby={unavailable ? hintId : undefined}
        onClick={() => void open()}
      >
        Open console
      </button>
      {unavailable && (
        <span id={hintId} class="hint">
          {unavailable}
        </span>
      )}
      {step && (
        <span role="status" class="hint">
          {step}
        </span>
      )}
      <Alert message={error} />
      {opened && (
        <ConsolePanel
          vm={name}
          opened={opened}
          onClose={() => {
            setOpened(undefined);
            opener.current?.focus();
          }}
        />
      )}
    </span>
  );
}

/**
 * The console as a modal dialog (Escape or Close closes it, which closes the socket): the text in a polite live log
 * that stays at its end as text arrives unless the user scrolled up, and why it closed once it has.
 */
function ConsolePanel(props: { vm: string; opened: OpenedConsole; onClose: () => void }) {
  const { feed, requestName } = props.opened;
  const dialog = useRef<HTMLDialogElement>(null);
  const log = useRef<HTMLPreElement>(null);
  const following = useRef(true);
  const [, redraw] = useState(0);
  useEffect(() => {
    const unsubscribe = feed.subscribe(() => redraw((n) => n + 1));
    // Effects run after the first paint: text (a booted VM's whole console comes in the first frame) or the close
    // that came between that render and now would otherwise wait for a next frame that may never come.
    redraw((n) => n + 1);
    return unsubscribe;
  }, [feed]);
  useEffect(() => dialog.current?.showModal(), []);
  useLayoutEffect(() => {
    if (following.current && log.current) log.current.scrollTop = log.current.scrollHeight;
  });
  return (
    <dialog ref={dialog} class="vm-console" aria-labelledby="vm-console-title" onClose={props.onClose}>
      <h2 id="vm-console-title">Console of {props.vm}</h2>
      <p class="hint">
        The VM's serial console, read-only, through the one-time ticket of VirtualMachineWebConsoleRequest <code>{requestName}</code>.
      </p>
      <p role="status">{feed.closed ?? 'Connected.'}</p>
      {feed.text.dropped && <p class="hint">The oldest output was dropped; the newest is shown.</p>}
      <pre
        ref={log}
        class="console-text"
        role="log"
        aria-live="polite"
        aria-label={`Console output of ${props.vm}`}
        tabIndex={0}
        onScroll={(e) => (following.current = scrolledToEnd(e.currentTarget))}
      >
        {feed.text.chunks.map((c) => (
          <span key={c.id}>{c.text}</span>
        ))}
      </pre>
      <div class="buttons">
        <button type="button" onClick={() => dialog.current?.close()}>
          Close console
        </button>
      </div>
    </dialog>
  );
}
