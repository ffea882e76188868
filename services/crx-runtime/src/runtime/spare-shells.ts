import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BUSYBOX_BINARY } from './image-store';
import { alive } from './process-tree';

export interface SpareTools {
  ip: string;
  unshare: string;
  nsenter: string;
  sleep: string;
}

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The `ip -batch` lines that join the namespace of the pause `pause` to the bridge: `outside` the veth pair (its
 * host end `veth` on the bridge), `inside` loopback, `eth0` and the routes to the gateway; given `ip`, also the
 * address inside and its route outside. One `ip` run a side: setting up is mostly process starts.
 */
export function namespaceSetup(veth: string, pause: string, bridge: string, gateway: string, ip?: string): { outside: string[]; inside: string[] } {
  return {
    outside: [`link add ${veth} type veth peer name eth0 netns ${pause}`, `link set ${veth} master ${bridge}`, `link set ${veth} up`, ...(ip ? [`route replace ${ip}/32 dev ${bridge}`] : [])],
    inside: ['link set lo up', ...(ip ? [`addr add ${ip}/32 dev eth0`] : []), 'link set eth0 up', `route add ${gateway} dev eth0`, `route add default via ${gateway} dev eth0`],
  };
}

/**
 * What one spare's shell runs ($1 its output file, $2 the FIFO its address comes through, $3 the host end of
 * its veth): it starts the pause (its child, so in the runtime's process group), waits for the pause's own
 * namespace, joins it to the bridge, leaves a shell inside the namespace waiting on a second FIFO, prints
 * `ready`, and waits for the address. Given one, the address goes on inside while the route goes on outside (one
 * process start each, at the same time) and it prints `rc=<status>`; given an empty line it leaves.
 */
function spareScript(tools: SpareTools, bridge: string, gateway: string): string {
  const ns = '/proc/$pause/ns/net';
  // The two commands a sandbox waits for (its address inside, its route outside) run busybox's `ip` where the host
  // has it: a static program, where iproute2's loads ten libraries (the hand-over took 9.0-9.5 ms against
  // 15.4-18.1, docs/benchmarks.md "Eleventh round"). The set-up before, off the start path, keeps iproute2's -batch.
  const quickIp = existsSync(BUSYBOX_BINARY) ? `${BUSYBOX_BINARY} ip` : tools.ip;
  const { outside, inside } = namespaceSetup('$veth', '$pause', bridge, gateway);
  const lines = (batch: string[]) => `printf '%s\\n' ${batch.map((l) => `"${l}"`).join(' ')}`;
  return [
    'fifo=$2; veth=$3',
    'echo "shell=$$"',
    // The pod's IPC namespace too, in the same unshare: its containers join it as they join the network one.
    `${tools.unshare} --net --ipc -- ${tools.sleep} infinity &`,
    'pause=$!',
    'echo "pause=$pause"',
    'own=$(readlink /proc/$$/ns/net)',
    'n=0',
    `until ns=$(readlink ${ns} 2>/dev/null) && [ "$ns" != "$own" ]; do`,
    '  n=$((n+1)); [ $n -gt 1000 ] && { echo "the pause process $pause did not get a network namespace of its own"; exit 1; }',
    `  ${tools.sleep} 0.003`,
    'done',
    `${lines(outside)} | ${tools.ip} -batch - || exit 1`,
    `${lines(inside)} | ${tools.nsenter} --net=${ns} -- ${tools.ip} -batch - || exit 1`,
    'echo "netns=$ns"',
    'mkfifo "$fifo" "$fifo.inside" || exit 1',
    `${tools.nsenter} --net=${ns} -- /bin/sh -c 'read -r ip < "$0" && [ -n "$ip" ] && exec ${quickIp} addr add "$ip/32" dev eth0' "$fifo.inside" &`,
    'inside=$!',
    `trap 'kill $inside 2>/dev/null; rm -f "$fifo" "$fifo.inside"' EXIT`,
    "trap 'exit 143' TERM",
    'echo ready',
    'read -r ip < "$fifo" || exit 0',
    '[ -n "$ip" ] || exit 0',
    'kill -0 $inside 2>/dev/null || { echo "the shell inside the namespace is gone"; echo "rc=1"; exit 1; }',
    'echo "$ip" > "$fifo.inside"',
    `${quickIp} route replace "$ip/32" dev ${bridge}; routed=$?`,
    'wait $inside; added=$?',
    '[ $routed -eq 0 ] && [ $added -eq 0 ]; echo "rc=$?"',
  ].join('\n');
}

/**
 * Reads lines `<veth> <base path>` (the path last, so that it may hold spaces) and starts a spare's shell for each,
 * in the background: its output to `<base>.out`, its address FIFO `<base>.addr`.
 */
const FORKER = 'while read -r veth base; do /bin/sh -c "$OP_SPARE_SCRIPT" spare "$base.out" "$base.addr" "$veth" </dev/null >"$base.out" 2>&1 & done';

/**
 * The shells that make a host's spare pod networks and then give them their addresses. Forking costs a process
 * about 1 ms per 10 MB it holds (page tables copied: 9-10 ms at a runtime's 90 MB, measured), and a spare made
 * from the runtime cost four forks (pause, two `ip` runs, the address step) plus two on the start path of the
 * sandbox that took it. Here the runtime forks once, a small shell (the forker) that starts each spare's shell
 * from its own few MB; the runtime only writes lines to it, reads the spare's output file, and hands the address
 * over through a FIFO. The FIFO is a file, so a runtime started again can still hand over the address of a spare
 * its predecessor made.
 */
export class SpareShells {
  private forker?: ChildProcess;
  private readonly script: string;

  constructor(tools: SpareTools, bridge: string, gateway: string) {
    this.script = spareScript(tools, bridge, gateway);
  }

  /** A spare with `veth` as its host end: its pause, namespace and address FIFO (in `dir`) once its shell has made it. */
  async make(veth: string, dir: string): Promise<{ pid: number; netns: string; addressFifo: string }> {
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `${veth}-${randomBytes(4).toString('hex')}`);
    const addressFifo = `${base}.addr`;
    const out = outputOf(addressFifo);
    this.forkerInput().write(`${veth} ${base}\n`);
    const deadline = Date.now() + 5000;
    let shell = 0;
    for (;;) {
      // Looked at before the output is read: a shell gone by then has written all it will.
      const gone = shell > 0 && !alive(shell);
      const text = read(out);
      shell = shellOf(text);
      const pid = Number(/^pause=(\d+)$/m.exec(text)?.[1]);
      const netns = /^netns=(.+)$/m.exec(text)?.[1];
      if (/^ready$/m.test(text) && pid && netns) return { pid, netns, addressFifo };
      if (gone || Date.now() > deadline) {
        if (pid) signal(pid, 'SIGKILL');
        if (shell) signal(shell, 'SIGTERM');
        rmSync(out, { force: true });
        const said = text.replace(/^(shell|pause)=\d+\n/gm, '').trim();
        throw new Error(`preparing a spare network: ${said || (gone ? 'its shell exited' : 'no answer in 5 s')}`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Ends the forker (the spares' shells stay: each leaves when given an address or an empty line). */
  close(): void {
    this.forker?.stdin?.end();
    this.forker = undefined;
  }

  private forkerInput() {
    if (!this.forker || this.forker.exitCode !== null || this.forker.signalCode !== null) {
      const forker = spawn('/bin/sh', ['-c', FORKER], { stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: HOST_PATH, OP_SPARE_SCRIPT: this.script } });
      forker.on('error', () => undefined);
      forker.stdin!.on('error', () => undefined);
      forker.unref();
      (forker.stdin as unknown as { unref?: () => void }).unref?.();
      this.forker = forker;
    }
    return this.forker.stdin!;
  }
}

/**
 * Gives the spare behind `addressFifo` the address `ip` and waits (synchronously, as `runPodSandbox` does) for
 * its shell's answer; throws what failed, or that the shell is gone.
 */
export function giveSpareAddress(addressFifo: string, ip: string): void {
  const out = outputOf(addressFifo);
  const shell = shellOf(read(out));
  try {
    writeFifo(addressFifo, `${ip}\n`, shell);
    const deadline = Date.now() + 3000;
    for (;;) {
      const gone = !alive(shell);
      const text = read(out);
      const rc = /^rc=(\d+)$/m.exec(text);
      if (rc) {
        if (rc[1] === '0') return;
        throw new Error(`giving a spare network the address ${ip}: ${text.slice(text.indexOf('ready\n') + 6, rc.index).trim() || `exit ${rc[1]}`}`);
      }
      if (gone) throw new Error(`giving a spare network the address ${ip}: its shell exited without an answer`);
      if (Date.now() > deadline) throw new Error(`giving a spare network the address ${ip}: no answer in 3 s`);
      pause(0.25);
    }
  } finally {
    rmSync(out, { force: true });
  }
}

/** A spare not taken: its shell leaves (an empty line, or a signal when it is not reading), taking its files. */
export function endSpareShell(addressFifo: string): void {
  const out = outputOf(addressFifo);
  const shell = shellOf(read(out));
  try {
    writeFifo(addressFifo, '\n', shell);
  } catch {
    if (shell) signal(shell, 'SIGTERM');
  }
  rmSync(out, { force: true });
}

function outputOf(addressFifo: string): string {
  return addressFifo.replace(/\.addr$/, '.out');
}

function read(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The spare's shell, as it printed its pid first; 0 before it has. */
function shellOf(output: string): number {
  return Number(/^shell=(\d+)$/m.exec(output)?.[1] ?? 0);
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/**
 * Writes to a FIFO without ever blocking: opening it for writing fails (ENXIO) while nobody reads it, which for a
 * moment after `ready` is the shell not having reached its `read` yet; after that, or once the shell is gone,
 * the shell is taken as gone.
 */
function writeFifo(fifo: string, data: string, shell: number): void {
  const deadline = Date.now() + 200;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENXIO' && alive(shell) && Date.now() < deadline) {
        pause(0.25);
        continue;
      }
      throw new Error(`the spare network's shell is gone (${code})`);
    }
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    return;
  }
}
