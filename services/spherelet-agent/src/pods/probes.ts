import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ExecSyncResponse } from '@openpacific/contracts';
import { grpcProbe } from './grpc-probe';

/** A probe's verdict, and why it failed as kubelet's prober says it (the Event's message after `<Kind> probe failed: `). */
export interface ProbeResult {
  ok: boolean;
  message: string;
  /** Passed with a warning (kubelet's probe.Warning, told in a `ProbeWarning` Event): `message` says what. */
  warning?: boolean;
  /** The probe could not be run (kubelet's probe error, its result thrown away): `message` says why. */
  errored?: boolean;
}

export interface ProbeTarget {
  podIP: string;
  ports: { name?: string; containerPort: number }[];
  /** Runs an exec probe's command inside the container (crx-runtime's execSync): ok on exit 0, its output as the message. */
  exec: (command: string[], timeoutSeconds: number) => Promise<ProbeResult>;
}

/**
 * A string as Go's `%q` writes it (strconv.Quote): in double quotes, `"` and `\` escaped, control characters as
 * Go escapes them (`\n`, `\t`, `\x1b`), printable characters as they are.
 */
export function goQuote(text: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * How much earlier than its timeout, as the agent measures it, a killed command may answer: the runtime's timer counts
 * from its event loop's cached time, which lags the clock by whatever that loop turn already spent, so a command
 * killed at its timeout has been seen to answer 1 ms (and, under load, more) before `timeoutSeconds` had passed by the
 * agent's clock. A command failing by itself within this much of its timeout is reported as timed out.
 */
const TIMER_SLACK_MS = 100;

/**
 * An exec probe's verdict from the runtime's answer, as kubelet's exec prober gives it: exit 0 passes; a command that
 * ran out of its `timeoutSeconds` fails with `command "<argv joined by spaces>" timed out` (the CRI client's words,
 * with the ExecProbeTimeout gate on, as it is by default), whatever it wrote; any other exit fails with its output.
 * crx-runtime kills a command at its timeout and answers a non-zero exit: one that took the whole timeout or longer
 * (`elapsedMs`, as the agent saw it, give or take TIMER_SLACK_MS) is taken as timed out, unless the runtime says itself
 * (`timedOut`).
 */
export function execProbeResult(command: string[], timeoutSeconds: number, answer: ExecSyncResponse & { timedOut?: boolean }, elapsedMs: number): ProbeResult {
  if (answer.exitCode === 0 && answer.timedOut !== true) return { ok: true, message: '' };
  if (answer.timedOut ?? elapsedMs + TIMER_SLACK_MS >= timeoutSeconds * 1000) return { ok: false, message: `command ${goQuote(command.join(' '))} timed out` };
  return { ok: false, message: `${answer.stdout}${answer.stderr}` };
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

/** A host as a URL writes it (an IPv6 address in brackets). */
function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** How many redirects kubelet's probe client follows (Go's default) and how much of a body it reads. */
const MAX_REDIRECTS = 10;
const MAX_BODY_BYTES = 10 * 1024;

/**
 * An httpGet probe as kubelet's prober sends it (pkg/probe/http): a 2xx or 3xx answer passes, anything else fails
 * with `HTTP probe failed with statuscode: <code>`. A redirect to the same host is followed (at most ten); one to
 * another host is not, and passes with a warning (`Probe terminated redirects, Response body: <body>`), told in a
 * `ProbeWarning` Event, as is a 3xx without a Location.
 */
function httpProbe(url: URL, headers: Record<string, string>, timeoutMs: number, redirects = 0, first = url): Promise<ProbeResult> {
  const tls = url.protocol === 'https:';
  const request = tls ? httpsRequest : httpRequest;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const to = Number(url.port || (tls ? 443 : 80));
  // As kubelet's prober makes the first URL, with its port even where it is the scheme's own (`http://10.64.0.5:80/`).
  const shown = redirects === 0 ? `${url.protocol}//${formatHost(host)}:${to}${url.pathname}${url.search}` : url.href;
  return new Promise((resolve) => {
    let timedOut = false;
    const req = request(
      { host, port: to, path: `${url.pathname}${url.search}`, method: 'GET', timeout: timeoutMs, headers, ...(tls ? { rejectUnauthorized: false } : {}) },
      (res) => {
        const code = res.statusCode ?? 0;
        const location = code >= 300 && code < 400 ? res.headers.location : undefined;
        if (location !== undefined) {
          const next = new URL(location, url);
          if (next.hostname === first.hostname) {
            res.resume();
            if (redirects + 1 >= MAX_REDIRECTS) return resolve({ ok: false, message: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` });
            return void httpProbe(next, headers, timeoutMs, redirects + 1, first).then(resolve);
          }
        }
        if (code < 300 || code >= 400) {
          res.resume();
          const ok = code >= 200 && code < 300;
          return resolve({ ok, message: ok ? '' : `HTTP probe failed with statuscode: ${code}` });
        }
        const chunks: Buffer[] = [];
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          if (read < MAX_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_BODY_BYTES - read));
          read += chunk.length;
        });
        res.on('end', () => resolve({ ok: true, warning: true, message: `Probe terminated redirects, Response body: ${Buffer.concat(chunks).toString('utf8')}` }));
        res.on('error', () => resolve({ ok: true, warning: true, message: 'Probe terminated redirects, Response body: ' }));
      },
    );
    req.on('timeout', () => {
      timedOut = true;
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const why = timedOut ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' ? dialError(host, to, err) : err.message;
      resolve({ ok: false, message: `Get "${shown}": ${why}` });
    });
    req.end();
  });
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
    return httpProbe(new URL(`${tls ? 'https' : 'http'}://${formatHost(g.host ?? target.podIP)}:${port(g.port, target)}${g.path ?? '/'}`), headers, timeoutMs);
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
