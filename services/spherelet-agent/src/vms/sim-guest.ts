/**
 * A simulated guest OS: `node sim-guest.js <vm dir>`. It "boots" for the configured time, then listens on
 * the VM's IP and ports (each connection gets a greeting line naming the VM and the port, then an echo),
 * and answers heartbeats on a unix socket in the VM's folder. It keeps the user data it was handed.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';

const dir = process.argv[2];
const config = JSON.parse(readFileSync(join(dir, 'guest.json'), 'utf8')) as { name: string; ip: string; ports: number[]; bootMs: number; userData?: string };
const startedAt = Date.now();
const servers: Server[] = [];

function listen(): void {
  for (const port of config.ports) {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write(`${config.name} ${port}\n`);
      socket.pipe(socket);
    });
    server.on('error', (err) => process.stderr.write(`guest ${config.name}: port ${port}: ${err.message}\n`));
    server.listen(port, config.ip);
    servers.push(server);
  }
  if (config.userData !== undefined) writeFileSync(join(dir, 'user-data.applied'), config.userData);
  writeFileSync(join(dir, 'booted'), new Date().toISOString());
}

// The heartbeat answers from the start; "green" only once booted.
const sock = join(dir, 'guest.sock');
if (existsSync(sock)) rmSync(sock);
createServer((socket) => {
  socket.on('error', () => undefined);
  socket.end(`${existsSync(join(dir, 'booted')) ? 'green' : 'yellow'} ${Date.now() - startedAt}\n`);
}).listen(sock);

setTimeout(listen, config.bootMs);

// A soft power-off is a guest shutdown: close the services, then exit.
process.on('SIGTERM', () => {
  for (const s of servers) s.close();
  rmSync(join(dir, 'booted'), { force: true });
  setTimeout(() => process.exit(0), 50);
});
