import { connect } from 'node:net';
import type { ProbeResult } from './readiness-probe';

/** A TCP connect to host:port that succeeds once the connection opens; it is closed at once. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    // The socket's own idle timeout does not cover a connect that never answers on every platform; a timer does.
    const timer = setTimeout(() => done({ result: 'Failure', message: `connect to ${host}:${port}: timed out after ${timeoutMs / 1000}s` }), timeoutMs);
    socket.once('connect', () => done({ result: 'Success' }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connection refused' : err.message;
      done({ result: 'Failure', message: `connect to ${host}:${port}: ${why}` });
    });
  });
}
