import { randomUUID } from 'node:crypto';
import { crxExecStartSubject, crxExecStreamSubject, ExecChannels, ExecStartRequest } from '@openpacific/contracts';
import { requestJson } from '@openpacific/messaging';
import type { NatsConnection } from 'nats';
import type { WebSocket } from 'ws';

/** The channels of kube's remotecommand WebSocket protocols (`v4.channel.k8s.io`, `v5.channel.k8s.io`). */
const WS = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface ExecTarget {
  host: string;
  containerId: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * One `kubectl exec` session on an upgraded WebSocket: the process runs on the pod's host (crx-runtime,
 * exec-session.ts) and its streams travel over NATS. The last frame is the Status on channel 3, then the
 * socket closes, which is how the client learns the command ended.
 */
export async function serveExec(nc: NatsConnection, prefix: string, ws: WebSocket, t: ExecTarget): Promise<void> {
  const sessionId = randomUUID();
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
      else if (channel === ExecChannels.stderr && t.stderr) send(WS.stderr, data);
      else if (channel === ExecChannels.exit) finish(exitStatus(JSON.parse(data.toString()), t.command));
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
  const request: ExecStartRequest = { sessionId, containerId: t.containerId, command: t.command, stdin: t.stdin, tty: t.tty };
  try {
    const reply = await requestJson<ExecStartRequest, { error?: { message: string } }>(nc, crxExecStartSubject(prefix, t.host), request, 10_000);
    if (reply.error) throw new Error(reply.error.message);
    for (const message of pending ?? []) nc.publish(input, message);
    pending = undefined;
  } catch (err) {
    finish({ status: 'Failure', message: `error executing command ${JSON.stringify(t.command)}: ${(err as Error).message}`, reason: 'InternalError', code: 500 });
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
