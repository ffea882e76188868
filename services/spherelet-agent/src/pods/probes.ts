import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { grpcProbe } from './grpc-probe';

/** A probe's verdict, and why it failed as kubelet's prober says it (the Event's message after `<Kind> probe failed: `). */
export interface ProbeResult {
  ok: boolean;
  message: string;
}

export interface ProbeTarget {
  podIP: string;
  ports: { name?: string; containerPort: number }[];
  /** Runs an exec probe's command inside the container (crx-runtime's execSync): ok on exit 0, its output as the message. */
  exec: (command: string[], timeoutSeconds: number) => Promise<ProbeResult>;
}

function port(p: number | string, target: ProbeTarget): number {
  if (typeof p === 'number') return p;
  if (/^\d+$/.test(p)) return Number(p);
  return target.ports.find((x) => x.name === p)?.containerPort ?? -1;
}

/** kubelet's version in the User-Agent of its probes and hooks (`kube-probe/1.32`). */
const KUBELET_MINOR = '1.32';

/**
 * One probe, as the kubelet runs them: exec succeeds on exit 0, httpGet on a
 * 2xx or 3xx answer, tcpSocket when a connection opens, grpc on a SERVING health check (grpc-probe.ts); each within
 * timeoutSeconds. Exec probes run inside the container, through the runtime.
 * An httpGet with `scheme: HTTPS` is sent over TLS without checking the
 * certificate (as kubelet's prober); it names itself `<agent>/1.32` (kubelet's
 * `kube-probe`, `kube-lifecycle` for hooks) and accepts anything, unless the
 * probe's own headers say otherwise.
 */
export function runProbe(probe: any, target: ProbeTarget, agent = 'kube-probe'): Promise<boolean> {
  return probeResult(probe, target, agent).then((r) => r.ok);
}

/** What a failed connection says, in the words of the Go dialer kubelet's messages carry. */
function dialError(host: string, port: number, err: NodeJS.ErrnoException | undefined): string {
  const at = `dial tcp ${host}:${port}`;
  if (!err) return `${at}: i/o timeout`;
  if (err.code === 'ECONNREFUSED') return `${at}: connect: connection refused`;
  if (err.code === 'EHOSTUNREACH') return `${at}: connect: no route to host`;
  return `${at}: ${err.message}`;
}

/** `runProbe` with the reason of a failure, worded as kubelet's prober words it in its `Unhealthy` Events. */
export function probeResult(probe: any, target: ProbeTarget, agent = 'kube-probe'): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec?.command?.length) return target.exec(probe.exec.command, probe.timeoutSeconds ?? 1);
  if (probe.httpGet) {
    const g = probe.httpGet;
    const tls = String(g.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
    const headers: Record<string, string> = { 'User-Agent': `${agent}/${KUBELET_MINOR}`, Accept: '*/*' };
    for (const h of g.httpHeaders ?? []) {
      // A probe's header replaces kubelet's of that name whatever its case.
      for (const name of Object.keys(headers)) if (name.toLowerCase() === String(h.name).toLowerCase()) delete headers[name];
      headers[h.name] = h.value;
    }
    const request = tls ? httpsRequest : httpRequest;
    const host = g.host ?? target.podIP;
    const to = port(g.port, target);
    const url = `${tls ? 'https' : 'http'}://${host}:${to}${g.path ?? '/'}`;
    return new Promise((resolve) => {
      let timedOut = false;
      const req = request(
        { host, port: to, path: g.path ?? '/', method: 'GET', timeout: timeoutMs, headers, ...(tls ? { rejectUnauthorized: false } : {}) },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          const ok = code >= 200 && code < 400;
          resolve({ ok, message: ok ? '' : `HTTP probe failed with statuscode: ${code}` });
        },
      );
      req.on('timeout', () => {
        timedOut = true;
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const why = timedOut ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' ? dialError(host, to, err) : err.message;
        resolve({ ok: false, message: `Get "${url}": ${why}` });
      });
      req.end();
    });
  }
  if (probe.grpc) return grpcProbe(target.podIP, probe.grpc.port, probe.grpc.service ?? '', probe.timeoutSeconds ?? 1, agent);
  if (probe.tcpSocket) {
    const host = probe.tcpSocket.host ?? target.podIP;
    const to = port(probe.tcpSocket.port, target);
    return new Promise((resolve) => {
      const socket = connect({ host, port: to, timeout: timeoutMs });
      socket.on('connect', () => {
        socket.destroy();
        resolve({ ok: true, message: '' });
      });
      socket.on('timeout', () => {
        socket.destroy();
        resolve({ ok: false, message: dialError(host, to, undefined) });
      });
      socket.on('error', (err) => resolve({ ok: false, message: dialError(host, to, err) }));
    });
  }
  return Promise.resolve({ ok: true, message: '' });
}
