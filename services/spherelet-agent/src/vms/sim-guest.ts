/**
 * A simulated guest OS: `node sim-guest.js <vm dir>`. It "boots" for the configured time, then listens on
 * the VM's IP and ports (each connection gets a greeting line naming the VM and the port, then an echo),
 * and answers heartbeats on a unix socket in the VM's folder. It keeps the user data it was handed.
 *
 * It prints to its serial console (vm-console.ts): its boot, its hostname and address once up, its shutdown.
 *
 * As cloud-init's final stage, it sets the guestinfo keys its user data's runcmd sets with `vmware-rpctool`
 * (cloud-init-runcmd.ts), before it reports itself booted: the host finds them once the heartbeat is green.
 *
 * A guest whose user data carries a node section is a node image (see guest-node.ts): once booted it runs
 * the programs of its role; a control plane leaves port 6443 to its api-gateway.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { parseNodeBootstrap } from '@openpacific/contracts';
import { GUEST_API_PORT, GuestNode } from './guest-node';
import { writeGuestInfo } from './sim-guest-info';
import { appendConsole, bootedLines, bootStartLines, guestLine, shutdownLines } from './vm-console';

const dir = process.argv[2];
const config = JSON.parse(readFileSync(join(dir, 'guest.json'), 'utf8')) as {
  uid?: string; name: string; ip: string; ports: number[]; bootMs: number; userData?: string; cpus?: number; memoryBytes?: number;
};
const nodeConfig = parseNodeBootstrap(config.userData);
const startedAt = Date.now();
const servers: Server[] = [];
let node: GuestNode | undefined;
const say = (text: string) => appendConsole(dir, text);
say(bootStartLines(config));

function listen(): void {
  const ports = nodeConfig?.role === 'control-plane' ? config.ports.filter((p) => p !== GUEST_API_PORT) : config.ports;
  for (const port of ports) {
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
  if (nodeConfig) {
    try {
      node = GuestNode.start(nodeConfig, {
        uid: config.uid ?? '', name: config.name, ip: config.ip, cpus: config.cpus ?? 1, memoryBytes: config.memoryBytes ?? 2 ** 30, dir,
      });
    } catch (err) {
      // Not booted: the heartbeat stays yellow, as a node whose programs cannot start is not a working guest.
      process.stderr.write(`guest ${config.name}: node image: ${(err as Error).message}\n`);
      writeFileSync(join(dir, 'boot-failed'), `${(err as Error).message}\n`);
      say(guestLine(Date.now() - startedAt, `node image failed to start: ${(err as Error).message}`));
      return;
    }
  }
  setGuestInfo();
  writeFileSync(join(dir, 'booted'), new Date().toISOString());
  say(bootedLines(config, Date.now() - startedAt));
}

/** runcmd's `vmware-rpctool "info-set guestinfo.<key> <value>"` lines; the YAML parser loads only for user data that has some. */
function setGuestInfo(): void {
  if (!config.userData?.includes('vmware-rpctool')) return;
  const { runcmdGuestInfo } = require('./cloud-init-runcmd') as typeof import('./cloud-init-runcmd');
  const keys = runcmdGuestInfo(config.userData);
  if (Object.keys(keys).length === 0) return;
  writeGuestInfo(dir, keys);
  for (const key of Object.keys(keys)) say(guestLine(Date.now() - startedAt, `cloud-init: runcmd: vmware-rpctool info-set ${key}`));
}

// The heartbeat answers from the start; "green" only once booted.
const sock = join(dir, 'guest.sock');
if (existsSync(sock)) rmSync(sock);
createServer((socket) => {
  socket.on('error', () => undefined);
  socket.end(`${existsSync(join(dir, 'booted')) ? 'green' : 'yellow'} ${Date.now() - startedAt}\n`);
}).listen(sock);

const bootTimer = setTimeout(listen, config.bootMs);

// A soft power-off is a guest shutdown: stop the node's programs, close the services, then exit.
let shuttingDown = false;
process.on('SIGTERM', () => {
  if (shuttingDown) return;
  shuttingDown = true;
  say(shutdownLines(Date.now() - startedAt));
  clearTimeout(bootTimer);
  rmSync(join(dir, 'booted'), { force: true });
  for (const s of servers) s.close();
  void (node?.stop() ?? Promise.resolve()).finally(() => setTimeout(() => process.exit(0), 50));
});
