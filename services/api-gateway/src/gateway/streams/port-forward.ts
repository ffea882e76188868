import { connect, Socket } from 'node:net';
import { SpdySession, SpdyStream } from './spdy';

/**
 * `kubectl port-forward` over SPDY/3.1 (raw, or tunnelled in WebSocket binary messages): for every local
 * connection the client opens an `error` stream then a `data` stream carrying `port` and a shared `requestID`.
 * The gateway connects to the pod's own address and pipes the data stream; a refused connection is reported on
 * the error stream (kubectl prints it) and only that pair of streams ends.
 */
export function servePortForward(podIP: string, podName: string, ports: number[], write: (b: Buffer) => void, onEnd: () => void): SpdySession {
  const pairs = new Map<string, { error?: number; data?: number; socket?: Socket; failed?: string }>();
  const sockets = new Map<number, Socket>();
  const session: SpdySession = new SpdySession(write, {
    onStream: (s: SpdyStream) => open(s),
    onData: (id, data, fin) => {
      const socket = sockets.get(id);
      if (!socket) return;
      if (data.length) socket.write(data);
      if (fin) socket.end();
    },
    onReset: (id) => sockets.get(id)?.destroy(),
    onClose: () => {
      for (const s of sockets.values()) s.destroy();
      onEnd();
    },
  });

  function open(s: SpdyStream): void {
    session.reply(s.id);
    const port = Number(s.headers.port);
    const key = `${s.headers.requestid ?? ''}/${port}`;
    const pair = pairs.get(key) ?? {};
    pairs.set(key, pair);
    if (s.headers.streamtype === 'error') {
      pair.error = s.id;
      if (pair.failed) failPair(pair, pair.failed);
      return;
    }
    if (s.headers.streamtype !== 'data') {
      session.reset(s.id, 1);
      return;
    }
    pair.data = s.id;
    if (!Number.isInteger(port) || port < 1 || port > 65535 || (ports.length > 0 && !ports.includes(port))) {
      failPair(pair, `invalid port ${s.headers.port}`);
      return;
    }
    const socket = connect({ host: podIP, port });
    sockets.set(s.id, socket);
    socket.on('data', (d: Buffer) => session.data(s.id, d));
    socket.on('end', () => session.data(s.id, Buffer.alloc(0), true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      sockets.delete(s.id);
      failPair(pair, `error forwarding port ${port} to pod ${podName}: dial tcp ${podIP}:${port}: connect: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`);
    });
    socket.on('close', () => {
      sockets.delete(s.id);
      if (pairs.get(key) === pair && !pair.failed) pairs.delete(key);
    });
  }

  function failPair(pair: { error?: number; data?: number; failed?: string }, message: string): void {
    pair.failed = message;
    if (pair.error === undefined) return; // told when the error stream arrives
    session.data(pair.error, Buffer.from(message), true);
    if (pair.data !== undefined) session.data(pair.data, Buffer.alloc(0), true);
  }

  return session;
}
