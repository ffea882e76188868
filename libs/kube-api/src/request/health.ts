/**
 * The health endpoints kube-apiserver and kubelet serve (`/healthz`, `/livez`, `/readyz`), answered as their healthz
 * package answers them: `ok` when every check passes, each check listed with `?verbose` (`[+]etcd ok`) and always when
 * one fails (`[-]etcd failed: reason withheld`, a 500; the reason goes to the server's log, not to whoever asked),
 * `?exclude=<check>` leaving a check out, and `/<endpoint>/<check>` asking one.
 */

/** A check's outcome: no error, or why it failed. */
export interface CheckResult {
  name: string;
  error?: string;
}

/** One named check; it fails by throwing (or rejecting). */
export interface HealthCheck {
  name: string;
  run(): void | Promise<void>;
}

export interface HealthReply {
  status: number;
  /** Go's `http.Error` and the health handlers' plain text, which a browser must not sniff. */
  headers: Record<string, string>;
  body: string;
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };

/** The names of the checks an endpoint's `?exclude=` leaves out (which were asked for, and run). */
function excludedNames(query: URLSearchParams): Set<string> {
  return new Set(query.getAll('exclude').map((n) => n.trim()).filter((n) => n !== ''));
}

/**
 * The answer of an endpoint (`readyz`) from its checks' results, in their order. Excluded checks are listed as
 * `excluded: ok`; an exclusion that names no check is a `warn:` line, as kube-apiserver writes it.
 */
export function healthReply(endpoint: string, results: CheckResult[], query: URLSearchParams): HealthReply {
  const excluded = excludedNames(query);
  let lines = '';
  let failed = false;
  for (const r of results) {
    if (excluded.delete(r.name)) lines += `[+]${r.name} excluded: ok\n`;
    else if (r.error === undefined) lines += `[+]${r.name} ok\n`;
    else {
      failed = true;
      lines += `[-]${r.name} failed: reason withheld\n`;
    }
  }
  if (excluded.size > 0) lines += `warn: some health checks cannot be excluded: no matches for ${[...excluded].sort().map((n) => JSON.stringify(n)).join(',')}\n`;
  if (failed) return { status: 500, headers: TEXT, body: `${lines}${endpoint} check failed\n` };
  return { status: 200, headers: TEXT, body: query.has('verbose') ? `${lines}${endpoint} check passed\n` : 'ok' };
}

/** The answer to `/<endpoint>/<check>`: `ok`, or the check's error as a 500. */
export function singleCheckReply(result: CheckResult): HealthReply {
  return result.error === undefined ? { status: 200, headers: TEXT, body: 'ok' } : { status: 500, headers: TEXT, body: `internal server error: ${result.error}\n` };
}

/** Runs checks side by side, each within `timeoutMs`; one that throws, rejects or takes longer fails. */
export async function runChecks(checks: HealthCheck[], timeoutMs: number): Promise<CheckResult[]> {
  return Promise.all(checks.map(async (c): Promise<CheckResult> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => c.run()),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs); }),
      ]);
      return { name: c.name };
    } catch (err) {
      return { name: c.name, error: (err as Error)?.message ?? String(err) };
    } finally {
      clearTimeout(timer);
    }
  }));
}

/**
 * Where a health path leads: the endpoint (`readyz`) and, for `/readyz/etcd`, the check; undefined for any other
 * path. `/readyz/` is the endpoint itself.
 */
export function healthPath(path: string): { endpoint: 'healthz' | 'livez' | 'readyz'; check?: string } | undefined {
  const match = /^\/(healthz|livez|readyz)(?:\/(.*))?$/.exec(path);
  if (!match) return undefined;
  const endpoint = match[1] as 'healthz' | 'livez' | 'readyz';
  return match[2] ? { endpoint, check: match[2] } : { endpoint };
}
