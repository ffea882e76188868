import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export interface ProbeTarget {
  podIP: string;
  ports: { name?: string; containerPort: number }[];
  /** Runs an exec probe's command inside the container (crx-runtime's execSync); true on exit 0. */
  exec: (command: string[], timeoutSeconds: number) => Promise<boolean>;
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
 * 2xx or 3xx answer, tcpSocket when a connection opens; each within
 * timeoutSeconds. Exec probes run inside the container, through the runtime.
 * An httpGet with `scheme: HTTPS` is sent over TLS without checking the
 * certificate (as kubelet's prober); it names itself `<agent>/1.32` (kubelet's
 * `kube-probe`, `kube-lifecycle` for hooks) and accepts anything, unless the
 * probe's own headers say otherwise.
 */
export function runProbe(probe: any, target: ProbeTarget, agent = 'kube-probe'): Promise<boolean> {
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
    return new Promise((resolve) => {
      const req = request(
        { host: g.host ?? target.podIP, port: port(g.port, target), path: g.path ?? '/', method: 'GET', timeout: timeoutMs, headers, ...(tls ? { rejectUnauthorized: false } : {}) },
        (res) => {
          res.resume();
          resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    return new Promise((resolve) => {
      const socket = connect({ host: probe.tcpSocket.host ?? target.podIP, port: port(probe.tcpSocket.port, target), timeout: timeoutMs });
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(false));
    });
  }
  return Promise.resolve(true);
}
