import { randomUUID } from 'node:crypto';
import { AttachStartRequest, crxAttachStartSubject, crxExecStartSubject, crxExecStreamSubject, ExecChannels, ExecStartRequest } from '@openpacific/contracts';
import { requestJson } from '@openpacific/messaging';
import type { NatsConnection } from 'nats';
import type { WebSocket } from 'ws';

/** The channels of kube's remotecommand WebSocket protocols (`v4.channel.k8s.io`, `v5.channel.k8s.io`). */
const WS = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The container a session is with, and which of its streams the client asked for. */
export interface StreamTarget {
  host: string;
  containerId: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export type ExecTarget = StreamTarget & { command: string[] };

/**
 * One `kubectl exec` session on an upgraded WebSocket: the process runs on the pod's host (crx-runtime,
 * exec-session.ts) and its streams travel over NATS. The last frame is the Status on channel 3, then the
 * socket closes, which is how the client learns the command ended.
 */
export function serveExec(nc: NatsConnection, prefix: string, ws: WebSocket, t: ExecTarget): Promise<void> {
  const sessionId = randomUUID();
  const request: ExecStartRequest = { sessionId, containerId: t.containerId, command: t.command, stdin: t.stdin, tty: t.tty };
  return serveSession(nc, prefix, ws, t, {
    sessionId, subject: crxExecStartSubject(prefix, t.host), request,
    status: (result) => exitStatus(result, t.command),
    failed: (message) => ({ status: 'Failure', message: `error executing command ${JSON.stringify(t.command)}: ${message}`, reason: 'InternalError', code: 500 }),
  });
}

/**
 * One `kubectl attach` session: the same protocol, connected to the running container's own stdio (crx-runtime,
 * attach-session.ts). It ends with Success when the container exits, as kubelet's does: kubectl reads the exit code
 * from the pod itself.
 */
export function serveAttach(nc: NatsConnection, prefix: string, ws: WebSocket, t: StreamTarget): Promise<void> {
  const sessionId = randomUUID();
  const request: AttachStartRequest = { sessionId, containerId: t.containerId, stdin: t.stdin };
  const failed = (message: string) => ({ status: 'Failure', message: `error attaching to container: ${message}`, reason: 'InternalError', code: 500 });
  return serveSession(nc, prefix, ws, t, {
    sessionId, subject: crxAttachStartSubject(prefix, t.host), request,
    status: (result: { error?: string }) => (result.error === undefined ? { status: 'Success' } : failed(result.error)),
    failed,
  });
}

interface Session {
  sessionId: string;
  /** Where the runtime is asked to start it, and with what. */
  subject: string;
  request: object;
  /** The final Status from the runtime's exit message. */
  status(result: { exitCode?: number; error?: string }): Record<string, unknown>;
  /** The final Status when the runtime refused to start it. */
  failed(message: string): Record<string, unknown>;
}

async function serveSession(nc: NatsConnection, prefix: string, ws: WebSocket, t: StreamTarget, session: Session): Promise<void> {
  const { sessionId } = session;
  const input = crxExecStreamSubject(prefix, t.host, sessionId, 'in');
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]));
  };
  let done = false;
  // What the client sends before the runtime listens (it subscribes before it answers the start) waits here.
  let pending: Buffer[] | undefined = [];
  const forward = (channel: number, data: Buffer = Buffer.alloc(0)) => {
    const message = Buffer.concat([Buffer.from([channel]), data]);
    if (pending) pending.push(message);
    else nc.publish(input, message);
  };
  const finish = (status: Record<string, unknown>) => {
    if (done) return;
    done = true;
    output.unsubscribe();
    send(WS.error, JSON.stringify({ metadata: {}, ...status }));
    ws.close(1000);
  };
  const output = nc.subscribe(crxExecStreamSubject(prefix, t.host, sessionId, 'out'), {
    callback: (err, msg) => {
      if (err || msg.data.length === 0) return;
      const channel = msg.data[0];
      const data = Buffer.from(msg.data.subarray(1));
      if (channel === ExecChannels.stdout && t.stdout) send(WS.stdout, data);
      // A terminal has one output: what a container without a real one writes to stderr goes there too.
      else if (channel === ExecChannels.stderr && (t.stderr || t.tty)) send(t.tty ? WS.stdout : WS.stderr, data);
      else if (channel === ExecChannels.exit) finish(session.status(JSON.parse(data.toString())));
    },
  });
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const data = isBinary ? raw : Buffer.from(raw);
    if (data.length === 0 || done) return;
    if (data[0] === WS.close) {
      if (data[1] === WS.stdin) forward(ExecChannels.closeStdin);
    } else if (data[0] === WS.stdin) {
      forward(ExecChannels.stdin, data.subarray(1));
    } else if (data[0] === WS.resize) {
      forward(ExecChannels.resize, data.subarray(1));
    }
  });
  ws.on('close', () => {
    if (!done) forward(ExecChannels.kill);
    done = true;
    output.unsubscribe();
  });
  await nc.flush();
  try {
    const reply = await requestJson<object, { error?: { message: string } }>(nc, session.subject, session.request, 10_000);
    if (reply.error) throw new Error(reply.error.message);
    for (const message of pending ?? []) nc.publish(input, message);
    pending = undefined;
  } catch (err) {
    finish(session.failed((err as Error).message));
    return;
  }
  // An empty frame on the lowest output channel tells the client the streams are established (as the kubelet does).
  send(t.stdout ? WS.stdout : t.stderr ? WS.stderr : WS.error, Buffer.alloc(0));
}

function exitStatus(result: { exitCode?: number; error?: string }, command: string[]): Record<string, unknown> {
  if (result.error !== undefined) {
    return { status: 'Failure', message: `error executing command [${command.join(' ')}]: ${result.error}`, reason: 'InternalError', code: 500 };
  }
  if (result.exitCode === 0) return { status: 'Success' };
  return {
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${result.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
  };
}
