import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ManagedProcess } from './managed-process';
import { waitUntil } from './wait-ready';

export interface GatewayAddress {
  server: string;
  kubeconfig: string;
  caFile: string;
  tokenFile: string;
}

/**
 * The gateway is ready when GET /readyz answers 200 over HTTPS, verified with
 * the CA it wrote, and it has written its kubeconfig.
 */
export async function waitForGateway(opts: {
  port: number;
  dataDir: string;
  gateway: ManagedProcess;
  watch: ManagedProcess[];
  timeoutMs: number;
}): Promise<GatewayAddress> {
  const caFile = join(opts.dataDir, 'pki', 'ca.crt');
  const kubeconfig = join(opts.dataDir, 'kubeconfig');
  await waitUntil(
    `api-gateway (https://127.0.0.1:${opts.port}/readyz)`,
    async () => existsSync(caFile) && existsSync(kubeconfig) && (await httpsStatus(opts.port, '/readyz', readFileSync(caFile))) === 200,
    { timeoutMs: opts.timeoutMs, watch: [opts.gateway, ...opts.watch], intervalMs: 300 },
  );
  return {
    server: serverOf(kubeconfig) ?? `https://127.0.0.1:${opts.port}`,
    kubeconfig,
    caFile,
    tokenFile: join(opts.dataDir, 'admin.token'),
  };
}

/** An extra gateway is ready when it answers GET /readyz over HTTPS with the shared CA. */
export async function waitForGatewayPort(opts: { name: string; port: number; dataDir: string; watch: ManagedProcess[]; timeoutMs: number }) {
  const caFile = join(opts.dataDir, 'pki', 'ca.crt');
  await waitUntil(`${opts.name} (https://127.0.0.1:${opts.port}/readyz)`, async () => (await httpsStatus(opts.port, '/readyz', readFileSync(caFile))) === 200, {
    timeoutMs: opts.timeoutMs,
    watch: opts.watch,
    intervalMs: 300,
  });
}

export function httpsStatus(port: number, path: string, ca: Buffer, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      // Only the CA matters here; the names in the certificate are the gateway's business (TLS_SANS).
      { host: '127.0.0.1', port, path, method: 'GET', ca, timeout: timeoutMs, checkServerIdentity: () => undefined },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}

/** The server address the gateway put in its kubeconfig (it knows GATEWAY_PUBLIC_URL). */
export function serverOf(kubeconfigFile: string): string | undefined {
  try {
    const doc = parse(readFileSync(kubeconfigFile, 'utf8')) as { clusters?: { cluster?: { server?: string } }[] };
    return doc.clusters?.[0]?.cluster?.server;
  } catch {
    return undefined;
  }
}
