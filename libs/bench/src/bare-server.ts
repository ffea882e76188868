import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

/**
 * The ceiling for the API scenario: a bare node:https server answering one fixed small JSON body,
 * serving the gateway's own certificate and key (so the same TLS key type and handshake cost),
 * on 127.0.0.1, in a process of its own as the gateway is (so it does not share the client's
 * event loop). Whatever the gateway does per request is the gap between the two.
 */
export async function startBareServer(certFile: string, keyFile: string): Promise<{ server: string; pid: number; close(): Promise<void> }> {
  // Under jest this module is the TypeScript source: the server process runs the built copy.
  const entry = __filename.endsWith('.ts') ? resolve(__dirname, '..', 'dist', 'bare-server.js') : __filename;
  const child = fork(entry, [certFile, keyFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((res, rej) => {
    child.once('message', (m) => res(Number(m)));
    child.once('exit', (code) => rej(new Error(`bare server exited with ${code}`)));
  });
  return {
    server: `https://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    close: () =>
      new Promise((res) => {
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

function serve(certFile: string, keyFile: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success' });
  const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
}

if (require.main === module) serve(process.argv[2], process.argv[3]);
