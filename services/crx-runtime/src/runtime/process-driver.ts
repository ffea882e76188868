import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  CodedError, ContainerConfig, ContainerStats, containerStatsOf, ContainerStatus, CrxErrorCodes, ExecSyncRequest, ExecSyncResponse, PodSandbox, PodSandboxConfig, PodSandboxFilter, ReadLogsRequest, ReadLogsResponse,
  WriteVolumeRequest, WriteVolumeResponse, writeVolumeProblem,
} from '@openpacific/contracts';
import { writeVolumeAtomically } from './atomic-volume';
import { podAddress, PodAddressing } from '../crx-runtime.config';
import { Cgroups } from './cgroups';
import { procUsage, Usage } from './container-usage';
import { existsInImage, ImageStore } from './image-store';
import { alive, executable, processTree, signalAll } from './process-tree';
import { readLogFile } from './log-reader';
import { PodNetwork, PodNetworkAttachment, PodNetworkStatus, netnsPath, SpareNetwork, writeHostsFile, writeResolvConf } from './pod-network';
import { HOST_ADDRESS, hostNamespaces, podIpcNamespace, writeHostNetworkHostsFile } from './host-namespaces';
import { SpareNetworks } from './spare-networks';
import { endPodPidNamespace, makePodPidNamespace, PodPidNamespace, podPidNamespaceAlive, podPidNamespacePath } from './pod-pid-namespace';
import { AttachTarget, containerWanted, RuntimeDriver, sandboxWanted } from './runtime-driver';
import { ContainerCredentials, credentialsEnv, ShimSpec } from '../shim/container-process';
import { capabilityMask } from './capabilities';
import { containerUser, runAsNonRootProblem } from './container-user';
import { makeVolumeDirectory, setVolumeOwnership } from './volume-ownership';
import { ShimClient, ShimGoneError, shimSocketName } from './shim-client';
import { StateFile } from './state-file';
import { TerminalSize, writeTerminalSize } from './terminal-size';
import { mountSubPath } from './sub-path';
import { containerDev, devAndMessage, terminationMessage } from './container-dev';

interface ContainerRecord {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  image: string;
  /**
   * The id of the image `image` resolved to when it was created (`ContainerStatus.imageRef`), kept as kubelet's
   * runtime keeps it: not looked up again on every status. Absent on the host's root, and in the state of a runtime
   * from before it was recorded (its containers report none).
   */
  imageRef?: string;
  command: string[];
  env: Record<string, string>;
  cwd: string;
  limits: { memoryBytes?: number; cpuMillis?: number };
  /** The image's rootfs when the container runs isolated in it; absent = on the host's root. */
  rootfs?: string;
  /** Where its overlay root is mounted (inside its own mount namespace); set when it is created. */
  merged?: string;
  workingDir: string;
  /**
   * `readOnly`: mounted read-only when isolated. A subPath's `source` is its real path and `beneath` the volume's
   * (crx-init opens the source from there again, following no symlink).
   */
  volumes: { source: string; mountPath: string; readOnly?: boolean; beneath?: string }[];
  /** Its user and privileges when isolated, from its securityContext and image (absent: root, every capability). */
  credentials?: ContainerCredentials;
  logPath: string;
  statusPath: string;
  /** Its stdin FIFO (`stdin: true`), made when it is created; removed by the shim once `stdinOnce` closed it. */
  stdinPath?: string;
  stdinOnce?: boolean;
  /** Its terminal's control FIFO (`tty: true`): window sizes for its monitor to set. */
  terminalPath?: string;
  /** The container whose PID namespace it joins (an ephemeral container's target). */
  targetContainerId?: string;
  /** Its /dev and termination message settings (`devAndMessage`). */
  hostDev?: boolean;
  terminationLog?: { source: string; path: string };
  fallbackToLogs?: boolean;
  createdAt: string;
}

interface State {
  sandboxes: Record<string, PodSandbox>;
  containers: Record<string, ContainerRecord>;
  nextIp: number;
  /** Per sandbox in netns mode: what holds its network namespace. */
  networks?: Record<string, PodNetworkAttachment>;
  /** Namespaces made ahead for the next sandboxes (netns mode); kept here so a restarted runtime adopts them. */
  spares?: SpareNetwork[];
  /** Per sandbox with `shareProcessNamespace`: the PID 1 of the namespace its containers share. */
  pidNamespaces?: Record<string, PodPidNamespace>;
}


/** How this host networks its pods: `network` set = a namespace per pod (see pod-network.ts). */
export interface PodNetworking {
  status: PodNetworkStatus;
  network?: PodNetwork;
}


/** What an exec into a container whose init has not entered its image yet is refused with. */
const NOT_IN_IMAGE_YET = 'the container has no process in its image yet';

/**
 * Containers as real Linux process trees: each started by the host's shim, which logs
 * its output and records its exit, limited by per-container cgroups where the
 * host has them, stopped with SIGTERM then SIGKILL to the whole tree. State is
 * kept in a file so a restarted runtime adopts what still runs; a change is in
 * the file once `persisted()` resolves (the server waits for it before it answers).
 */
export class ProcessDriver implements RuntimeDriver {
  private readonly stateFile: StateFile<State>;
  private readonly state: State;
  readonly cgroups = new Cgroups();
  readonly images: ImageStore;
  private readonly shim: ShimClient;
  /** The program that sets up an isolated container and stays its init (native/crx-init.c). */
  private readonly init: string;
  /** The host's spare pod namespaces, with a pod network. */
  private readonly spares?: SpareNetworks;
  /** The program that makes a shared PID namespace (native/crx-pidns.c). */
  private readonly pidnsHelper: string;

  constructor(
    private readonly root: string,
    /** How its pods are addressed (a bare number: the host's index). */
    private readonly addressing: number | PodAddressing,
    /** The host's shim (crx-shim.js), started when none runs. */
    shimPath: string,
    private readonly podNetwork: PodNetworking = { status: { mode: 'loopback', reason: 'POD_CIDR not set' } },
    /** What the runtime's log is told: why a subPath was refused (kubelet's answer names no host path, its log does). */
    private readonly log?: (message: string, fields: Record<string, unknown>) => void,
  ) {
    mkdirSync(join(root, 'pods'), { recursive: true });
    // Built beside the shim (native/build.mjs); without it containers run on the host's root.
    this.init = join(dirname(shimPath), 'crx-init');
    this.images = new ImageStore(join(root, 'images'), existsSync(this.init));
    this.shim = new ShimClient(shimSocketName(root), shimPath);
    this.stateFile = StateFile.open<State>(join(root, 'state.json'), () => ({ sandboxes: {}, containers: {}, nextIp: 0 }));
    this.state = this.stateFile.value;
    this.state.networks ??= {};
    this.state.pidNamespaces ??= {};
    this.pidnsHelper = join(dirname(shimPath), 'crx-pidns');
    // After this turn, so that constructing a driver stays quick; a start that comes first builds it itself.
    setImmediate(() => {
      try {
        this.images.prepareBuiltIn();
      } catch {
        // The first container that needs it tries again, and says what is wrong.
      }
    });
    if (podNetwork.network) {
      // Adopt: sandboxes whose pause died (the host went down) are not ready; routes of pods gone are dropped.
      for (const s of Object.values(this.state.sandboxes)) this.refresh(s);
      podNetwork.network.sweepRoutes(this.liveAddresses());
      this.state.spares ??= [];
      const helper = join(dirname(shimPath), 'crx-netns');
      this.spares = new SpareNetworks(podNetwork.network, join(root, 'spares'), this.state.spares, () => this.save(), existsSync(helper) ? helper : undefined);
    }
  }

  /** Ends the spare namespaces (a runtime that stops cleanly leaves none behind); sandboxes and containers stay. */
  close(): void {
    this.spares?.close();
    // Now, not after this turn: the process may be on its way out.
    this.stateFile.writeNow();
  }

  version() {
    return {
      runtimeName: 'crx', runtimeVersion: '0.1.0', driver: 'process',
      isolation: this.images.isolating ? 'mount+pid+uts namespaces, image rootfs' : 'none',
      cgroups: this.cgroups.version ?? false,
      podNetwork: this.podNetwork.status,
    };
  }

  runPodSandbox(config: PodSandboxConfig): PodSandbox {
    const existing = Object.values(this.state.sandboxes).find((s) => s.config.podUid === config.podUid && this.refresh(s).state === 'SANDBOX_READY');
    if (existing) return existing;
    const network = config.hostNetwork ? undefined : this.podNetwork.network;
    const id = randomBytes(6).toString('hex');
    // In netns mode the scheduler chose the address; in loopback mode the runtime picks a 127.x.y.z of its own. A pod on
    // the host's network has the host's (the agent says which), and no namespace of its own.
    const ip = config.hostNetwork ? (config.ip ?? HOST_ADDRESS) : network ? network.checkAddress(config, this.liveAddresses()) : podAddress(this.addressing, this.state.nextIp++);
    const directory = join(this.root, 'pods', `${config.podNamespace}_${config.podName}_${config.podUid}`);
    mkdirSync(join(directory, 'volumes'), { recursive: true });
    mkdirSync(join(directory, 'logs'), { recursive: true });
    writeResolvConf(directory, config.dns);
    if (config.hostNetwork) writeHostNetworkHostsFile(directory, undefined, config.hostAliases);
    else writeHostsFile(directory, ip, config.hostname ?? config.podName, config.fqdn, config.hostAliases);
    if (this.spares && network) this.state.networks![id] = this.spares.attach(id, ip);
    // Only isolated containers have PID namespaces to share: on the host's root every process sees every other anyway.
    if (config.shareProcessNamespace && !config.hostPID && this.images.isolating) {
      try {
        this.state.pidNamespaces![id] = makePodPidNamespace(this.pidnsHelper, id);
      } catch (err) {
        const a = this.state.networks![id];
        if (a) this.podNetwork.network?.detach(a);
        delete this.state.networks![id];
        throw err;
      }
    }
    const sandbox: PodSandbox = { id, config, state: 'SANDBOX_READY', ip, directory, createdAt: new Date().toISOString() };
    this.state.sandboxes[id] = sandbox;
    this.save();
    return sandbox;
  }

  /**
   * Stops the sandbox's containers (through their grace period), then ends what it holds on the host: its network
   * namespace, veth, route and address, and its shared PID namespace, as a CRI runtime's StopPodSandbox tears the
   * pod's network down. Its directory (the containers' logs, volumes) stays until removePodSandbox: a finished pod's
   * logs are still read.
   */
  async stopPodSandbox(id: string, graceSeconds = 30): Promise<void> {
    const sandbox = this.sandbox(id);
    sandbox.state = 'SANDBOX_NOTREADY';
    this.save();
    await Promise.all(this.containersOf(id).map((c) => this.stopContainer(c.id, graceSeconds)));
    if (this.releaseHeld(id)) {
      this.save();
      await this.persisted();
    }
  }

  async removePodSandbox(id: string): Promise<void> {
    const sandbox = this.state.sandboxes[id];
    if (!sandbox) return;
    for (const c of this.containersOf(id)) await this.removeContainer(c.id);
    this.releaseHeld(id);
    rmSync(sandbox.directory, { recursive: true, force: true });
    delete this.state.sandboxes[id];
    this.save();
    await this.persisted();
  }

  /** Ends the sandbox's network and PID namespaces if it still holds them; whether it did. */
  private releaseHeld(id: string): boolean {
    const attachment = this.state.networks![id];
    const pidNamespace = this.state.pidNamespaces![id];
    if (attachment && this.podNetwork.network) {
      // Another sandbox already given the address (a pod failed over back here) keeps the host's route to it.
      const reused = Object.entries(this.state.networks!).some(([other, a]) => other !== id && a.ip === attachment.ip && this.podNetwork.network!.alive(a));
      this.podNetwork.network.detach(attachment, reused);
    }
    if (pidNamespace) endPodPidNamespace(pidNamespace);
    delete this.state.networks![id];
    delete this.state.pidNamespaces![id];
    return Boolean(attachment || pidNamespace);
  }

  podSandboxStatus(id: string): PodSandbox {
    return this.refresh(this.sandbox(id));
  }

  listPodSandboxes(filter?: PodSandboxFilter): PodSandbox[] {
    return Object.values(this.state.sandboxes).filter(sandboxWanted(filter)).map((s) => this.refresh(s));
  }

  createContainer(sandboxId: string, config: ContainerConfig, attempt: number): ContainerStatus {
    const sandbox = this.sandbox(sandboxId);
    const image = config.image ? this.images.resolve(config.image) : undefined;
    if (!image) {
      const available = this.images.list().map((i) => i.name).join(', ') || 'none';
      throw new CodedError(CrxErrorCodes.imageNotFound, `image "${config.image}" is not in the local image store of this host (available: ${available})`);
    }
    // As Kubernetes does with an image: `command` replaces its entrypoint, `args` its default command.
    // busybox has no entrypoint and `sh` as its command.
    const entrypoint = image.config ? (image.config.entrypoint ?? []) : [];
    const defaultCmd = image.config ? (image.config.cmd ?? []) : ['sh'];
    const command = config.command?.length ? [...config.command, ...(config.args ?? [])] : [...entrypoint, ...(config.args?.length ? config.args : defaultCmd)];
    if (command.length === 0) throw new CodedError(CrxErrorCodes.startFailed, `no command specified: the image "${config.image}" has no entrypoint or command and the container sets none`);
    const imageEnv = Object.fromEntries((image.config?.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]).filter(([k]) => k));
    const env: Record<string, string> = {
      ...imageEnv,
      PATH: image.path,
      // containerd's: the host's own name for a pod on the host's network (kubelet gives it no host name).
      HOSTNAME: sandbox.config.hostNetwork ? hostname() : (sandbox.config.hostname ?? sandbox.config.podName),
      POD_IP: sandbox.ip,
      POD_NAME: sandbox.config.podName,
      POD_NAMESPACE: sandbox.config.podNamespace,
      ...Object.fromEntries((config.env ?? []).map((e) => [e.name, e.value])),
    };
    // kubelet checks runAsNonRoot before anything of the container is made, whatever the runtime.
    const { podName, podNamespace, podUid } = sandbox.config;
    const refused = runAsNonRootProblem(image.config?.user, config.security, `${podName}_${podNamespace}(${podUid})`, config.name);
    if (refused) throw new CodedError(CrxErrorCodes.containerConfig, refused);
    if (!existsInImage(command[0], { ...image, path: env.PATH }, executable)) {
      throw new CodedError(CrxErrorCodes.startFailed, `exec: "${command[0]}": executable file not found in $PATH`);
    }
    const credentials = image.rootfs ? containerCredentials(image.rootfs, image.config?.user, config.security) : undefined;
    const volumes = (config.mounts ?? []).map((m) => ({ name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}), ...this.mountSource(sandbox.directory, config.name, m) }));
    // kubelet's SetVolumeOwnership, on the pod's own volumes: a persistent volume's directory is not the pod's to change.
    const fsGroup = config.security?.fsGroup;
    if (fsGroup !== undefined && image.rootfs) {
      for (const m of config.mounts ?? []) {
        if (!m.hostPath) setVolumeOwnership(join(sandbox.directory, 'volumes', m.name), fsGroup, { policy: config.security?.fsGroupChangePolicy });
      }
    }
    // On the host's root a subPath's own path stands for the volume (the last mount of a volume, if it has several).
    if (!image.rootfs) for (const v of volumes) env[`VOLUME_${v.name.replace(/\W/g, '_').toUpperCase()}`] = v.source;
    const id = randomBytes(8).toString('hex');
    const stdinPath = config.stdin ? join(sandbox.directory, 'logs', `${config.name}.${attempt}.stdin`) : undefined;
    const terminalPath = config.tty ? join(sandbox.directory, 'logs', `${config.name}.${attempt}.tty`) : undefined;
    for (const fifo of [stdinPath, terminalPath]) {
      if (!fifo) continue;
      rmSync(fifo, { force: true });
      execFileSync('mkfifo', ['-m', '600', fifo]);
    }
    const record: ContainerRecord = {
      id, sandboxId, name: config.name, attempt, image: config.image, ...(image.ref ? { imageRef: image.ref } : {}), command, env,
      cwd: !image.rootfs && config.workingDir && existsSync(config.workingDir) ? config.workingDir : sandbox.directory,
      limits: config.limits ?? {},
      rootfs: image.rootfs,
      // Known from the start, so a container's start writes no state of its own.
      merged: image.rootfs ? join(sandbox.directory, 'containers', `${config.name}.${attempt}`, 'merged') : undefined,
      workingDir: config.workingDir ?? (image.config?.workingDir || '/'),
      volumes,
      ...(credentials ? { credentials } : {}),
      logPath: join(sandbox.directory, 'logs', `${config.name}.${attempt}.log`),
      statusPath: join(sandbox.directory, 'logs', `${config.name}.${attempt}.status.json`),
      ...(stdinPath ? { stdinPath, ...(config.stdinOnce ? { stdinOnce: true } : {}) } : {}),
      ...(terminalPath ? { terminalPath } : {}),
      ...(config.targetContainerId ? { targetContainerId: this.targetOf(sandboxId, config.targetContainerId) } : {}),
      ...devAndMessage(config, join(sandbox.directory, 'logs', `${config.name}.${attempt}.termination-log`), !!image.rootfs),
      createdAt: new Date().toISOString(),
    };
    this.state.containers[id] = record;
    this.save();
    return this.containerStatus(id);
  }

  async startContainer(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    if (existsSync(c.statusPath)) throw new CodedError(CrxErrorCodes.conflict, `container ${id} was already started`);
    this.spares?.containerStarting();
    const cgroupProcs = this.cgroups.create(id, c.limits);
    const sandbox = this.sandbox(c.sandboxId);
    const attachment = this.attachment(sandbox);
    let isolation: ShimSpec['isolation'];
    if (c.rootfs) {
      if (!c.merged) {
        // Created by a runtime before this one, which chose the place at the start.
        c.merged = join(sandbox.directory, 'containers', `${c.name}.${c.attempt}`, 'merged');
        this.save();
      }
      const merged = c.merged;
      const layers = dirname(merged);
      for (const d of ['upper', 'work', 'merged']) mkdirSync(join(layers, d), { recursive: true });
      isolation = {
        init: this.init, netns: attachment && netnsPath(attachment.pid),
        ...this.pidNamespaceOf(sandbox, c),
        ...hostNamespaces(sandbox.config), ...podIpcNamespace(sandbox.config, attachment?.pid),
        lower: c.rootfs, upper: join(layers, 'upper'), work: join(layers, 'work'), merged, workingDir: c.workingDir, volumes: c.volumes,
        credentials: c.credentials,
        ...containerDev(sandbox, c),
      };
      givePodFile(join(sandbox.directory, 'resolv.conf'), c.rootfs, isolation.upper);
      givePodFile(join(sandbox.directory, 'hosts'), c.rootfs, isolation.upper);
    }
    const spec: ShimSpec = {
      command: c.command, env: c.env, cwd: c.cwd, logPath: c.logPath, statusPath: c.statusPath, stdinPath: c.stdinPath, terminalPath: c.terminalPath, cgroupProcs, isolation,
      enter: attachment && !isolation ? this.podNetwork.network!.enter(attachment) : undefined,
    };
    await this.startThroughShim(spec, c.statusPath);
    return this.containerStatus(id);
  }

  /**
   * The host's shim starts it and answers once its status file says running. A shim that died before it
   * wrote that file never started it (a new shim does, once); one that died after took the container with it,
   * and its status says so.
   */
  private async startThroughShim(spec: ShimSpec, statusPath: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.shim.start(spec);
        return;
      } catch (err) {
        if (!(err instanceof ShimGoneError)) throw err;
        if (existsSync(statusPath)) return;
        if (attempt === 2) throw err;
      }
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<ContainerStatus> {
    const c = this.container(id);
    const pids = () => {
      const fromCgroup = this.cgroups.pids(id);
      const status = this.readStatus(c);
      return fromCgroup.length ? fromCgroup : status?.state === 'running' && alive(status.pid) ? processTree(status.pid) : [];
    };
    if (pids().length === 0) return this.containerStatus(id);
    signalAll(pids(), 'SIGTERM');
    const deadline = Date.now() + graceSeconds * 1000;
    while (Date.now() < deadline && pids().length > 0) await new Promise((r) => setTimeout(r, 50));
    signalAll(pids(), 'SIGKILL');
    const exited = Date.now() + 3000;
    while (Date.now() < exited && this.readStatus(c)?.state !== 'exited') await new Promise((r) => setTimeout(r, 20));
    return this.containerStatus(id);
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.state.containers[id];
    if (!c) return;
    if (this.readStatus(c)?.state === 'running') await this.stopContainer(id, 0);
    this.cgroups.remove(id);
    delete this.state.containers[id];
    this.save();
    await this.persisted();
  }

  containerStatus(id: string): ContainerStatus {
    const c = this.container(id);
    const s = this.readStatus(c);
    const base = { id, sandboxId: c.sandboxId, name: c.name, attempt: c.attempt, image: c.image, ...(c.imageRef ? { imageRef: c.imageRef } : {}), createdAt: c.createdAt, logPath: c.logPath };
    if (!s) return { ...base, state: 'CONTAINER_CREATED' };
    if (s.state === 'running') {
      if (alive(s.pid) || alive(s.shimPid)) return { ...base, state: 'CONTAINER_RUNNING', pid: s.pid, startedAt: s.startedAt };
      // Both the process and its shim are gone without a word: the host (or someone) killed them.
      return { ...base, state: 'CONTAINER_EXITED', pid: s.pid, startedAt: s.startedAt, finishedAt: s.startedAt, exitCode: 137, reason: 'Error', message: 'the container and its shim disappeared' };
    }
    const oom = this.cgroups.oomKilled(id);
    const reason = oom ? 'OOMKilled' : s.exitCode === 0 ? 'Completed' : 'Error';
    // The OOM killer SIGKILLs a process of the container; Kubernetes reports that as 137 whatever the shell made of it.
    const exitCode = oom ? 137 : s.exitCode;
    const message = terminationMessage(c, exitCode);
    return { ...base, state: 'CONTAINER_EXITED', pid: s.pid, startedAt: s.startedAt, finishedAt: s.finishedAt, exitCode, reason, ...(message ? { message } : {}) };
  }

  listContainers(sandbox?: string | string[]): ContainerStatus[] {
    const wanted = containerWanted(sandbox);
    return Object.values(this.state.containers).filter((c) => wanted(c.sandboxId)).map((c) => this.containerStatus(c.id));
  }

  /**
   * Usage from the container's cgroups (cpuacct and memory on v1, the unified one on v2); what they do not count, from
   * /proc over its process tree (CPU time and resident memory), as on a host without cgroups.
   */
  containerStats(ids?: string[]): ContainerStats[] {
    const records = ids ? ids.map((id) => this.state.containers[id]).filter((c) => c !== undefined) : Object.values(this.state.containers);
    const out: ContainerStats[] = [];
    for (const c of records) {
      const status = this.containerStatus(c.id);
      const sandbox = this.state.sandboxes[c.sandboxId];
      if (status.state !== 'CONTAINER_RUNNING' || !status.pid || !sandbox) continue;
      const counted = this.cgroups.usage(c.id);
      const whole = counted.cpuUsageCoreNanoSeconds !== undefined && counted.memoryWorkingSetBytes !== undefined;
      const usage = whole ? (counted as Usage) : { ...procUsage(processTree(status.pid)), ...counted };
      out.push(containerStatsOf(status, sandbox.config, usage, Date.now()));
    }
    return out;
  }

  /** How to start a command inside a running container: its namespaces and root when isolated (exec sessions too). */
  execTarget(containerId: string, command: string[]): { file: string; args: string[]; cwd: string; env: Record<string, string> } {
    const c = this.container(containerId);
    const status = this.containerStatus(c.id);
    if (status.state !== 'CONTAINER_RUNNING' || !status.pid) throw new CodedError(CrxErrorCodes.conflict, `container ${c.id} is not running`);
    const attachment = this.attachment(this.sandbox(c.sandboxId));
    if (!c.rootfs) {
      if (!attachment) return { file: command[0], args: command.slice(1), cwd: c.cwd, env: c.env };
      const [file, ...args] = [...this.podNetwork.network!.enter(attachment), ...command];
      return { file, args, cwd: c.cwd, env: c.env };
    }
    // Enter through the first process that lives in the image's root (the init before it runs on the host's),
    // and so into its pod's network namespace and host name too. crx-init enters (OP_ENTER) and runs the command as
    // the container's user, with its capabilities, in its working directory, as containerd runs an exec process.
    const init = this.imageProcess(c);
    const env = { ...c.env, OP_ENTER: String(init), OP_WORKDIR: c.workingDir, OP_IMAGE_PATH: c.env.PATH ?? '', ...credentialsEnv(c.credentials) };
    return { file: this.init, args: command, cwd: '/', env };
  }

  /**
   * The PID namespace a container joins instead of making its own: the pod's, when it shares one (an ephemeral
   * container's target is in it too); else its target's, for an ephemeral container that has one.
   */
  private pidNamespaceOf(sandbox: PodSandbox, c: ContainerRecord): Pick<NonNullable<ShimSpec['isolation']>, 'pidns'> {
    const shared = this.state.pidNamespaces![sandbox.id];
    if (shared) {
      if (!podPidNamespaceAlive(shared)) throw new CodedError(CrxErrorCodes.conflict, `pod sandbox ${sandbox.id} has lost its process namespace (its PID 1 ${shared.pid} is gone)`);
      return { pidns: podPidNamespacePath(shared) };
    }
    return c.targetContainerId ? { pidns: `/proc/${this.imageProcess(this.container(c.targetContainerId))}/ns/pid` } : {};
  }

  /** A container whose PID namespace another of its sandbox may join: one of the same sandbox. */
  private targetOf(sandboxId: string, id: string): string {
    const target = this.container(id);
    if (target.sandboxId !== sandboxId) throw new CodedError(CrxErrorCodes.invalid, `container ${id} is not in pod sandbox ${sandboxId}`);
    return target.id;
  }

  /** The first process of a running isolated container that lives in the image's root: one in its namespaces. */
  private imageProcess(c: ContainerRecord): number {
    const status = this.containerStatus(c.id);
    if (status.state !== 'CONTAINER_RUNNING' || !status.pid) throw new CodedError(CrxErrorCodes.conflict, `container ${c.id} is not running`);
    const init = processTree(status.pid).find((pid) => rootOf(pid) === c.merged);
    if (!init) throw new CodedError(CrxErrorCodes.conflict, `${NOT_IN_IMAGE_YET} (container ${c.id})`);
    return init;
  }

  /**
   * `execTarget`, waiting (polling every 20 ms, at most `withinMs`) while a container that has just started has no
   * process in its image yet: its init is still setting up its root. An exec right after a start (a postStart hook,
   * a first probe) then runs in the container, as it does once containerd's start has returned, instead of failing.
   */
  async execTargetInImage(containerId: string, command: string[], withinMs: number): Promise<ReturnType<ProcessDriver['execTarget']>> {
    const until = Date.now() + Math.min(withinMs, 10_000);
    for (;;) {
      try {
        return this.execTarget(containerId, command);
      } catch (err) {
        if (!(err as Error).message.startsWith(NOT_IN_IMAGE_YET) || Date.now() >= until) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** What an attach session reads and writes: the running container's log, and its stdin FIFO while that is open. */
  attachTarget(containerId: string): AttachTarget {
    const c = this.container(containerId);
    if (this.containerStatus(c.id).state !== 'CONTAINER_RUNNING') throw new CodedError(CrxErrorCodes.conflict, `container ${c.id} is not running`);
    const stdinPath = c.stdinPath && existsSync(c.stdinPath) ? c.stdinPath : undefined;
    return {
      logPath: c.logPath,
      stdinPath,
      stdinOnce: !!c.stdinOnce,
      running: () => this.state.containers[c.id] !== undefined && this.containerStatus(c.id).state === 'CONTAINER_RUNNING',
      closeStdin: () => (stdinPath ? this.shim.closeStdin(stdinPath) : Promise.resolve()),
      ...(c.terminalPath ? { resize: (size: TerminalSize) => writeTerminalSize(c.terminalPath!, size) } : {}),
    };
  }

  /** Runs a command in a running container (its namespaces and root when isolated) and waits for it. */
  async execSync(req: ExecSyncRequest): Promise<ExecSyncResponse> {
    const { file, args, cwd, env } = await this.execTargetInImage(req.containerId, req.command, (req.timeoutSeconds ?? 1) * 1000);
    return new Promise((resolve) => {
      execFile(file, args, { cwd, env, timeout: (req.timeoutSeconds ?? 1) * 1000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 126) : 0;
        resolve({ exitCode: code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  readLogs(req: ReadLogsRequest): ReadLogsResponse {
    const c = this.container(req.containerId);
    const finished = this.containerStatus(c.id).state === 'CONTAINER_EXITED';
    return { ...readLogFile(c.logPath, req), finished };
  }

  /**
   * The content of a volume the agent computes (configMap, secret, downwardAPI, projected) into the sandbox's
   * directory of that volume, swapped in at once for the containers that have it mounted (atomic-volume.ts).
   */
  writeVolume(req: WriteVolumeRequest): WriteVolumeResponse {
    const sandbox = this.sandbox(req.sandboxId);
    const problem = writeVolumeProblem(req);
    if (problem) throw new CodedError(CrxErrorCodes.invalid, problem);
    if (req.fsGroup !== undefined && (!Number.isInteger(req.fsGroup) || req.fsGroup < 0 || req.fsGroup > 2 ** 31 - 1)) throw new CodedError(CrxErrorCodes.invalid, `invalid fsGroup ${JSON.stringify(req.fsGroup)}`);
    const dir = join(sandbox.directory, 'volumes', req.name);
    makeVolumeDirectory(dir);
    // Ownership only where this runtime may give it (it runs as root when it isolates).
    return { written: writeVolumeAtomically(dir, req.files, this.images.isolating ? req.fsGroup : undefined) };
  }

  private readStatus(c: ContainerRecord): any {
    try {
      return JSON.parse(readFileSync(c.statusPath, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Where a mount's content is on the host: the volume's directory, or its subPath's real path beneath it. */
  private mountSource(sandboxDirectory: string, container: string, mount: NonNullable<ContainerConfig['mounts']>[number]): { source: string; beneath?: string } {
    const directory = this.volumeSource(sandboxDirectory, mount);
    if (!mount.subPath) return { source: directory };
    const { source, volume } = mountSubPath(directory, { name: mount.name, subPath: mount.subPath }, container, this.log);
    return source === volume ? { source } : { source, beneath: volume };
  }

  /** A persistent volume's directory must exist (its provisioner made it): an empty new one would hide lost data. */
  private volumeSource(sandboxDirectory: string, mount: { name: string; hostPath?: string }): string {
    if (mount.hostPath) {
      if (!existsSync(mount.hostPath)) throw new CodedError(CrxErrorCodes.startFailed, `volume "${mount.name}": the directory ${mount.hostPath} does not exist`);
      return mount.hostPath;
    }
    const source = join(sandboxDirectory, 'volumes', mount.name);
    makeVolumeDirectory(source);
    return source;
  }

  /** A sandbox whose network or process namespace is gone (its pause died with the host) is no longer ready. */
  private refresh(sandbox: PodSandbox): PodSandbox {
    const a = this.state.networks![sandbox.id];
    const p = this.state.pidNamespaces?.[sandbox.id];
    const lost = (a && !this.podNetwork.network?.alive(a)) || (p && !podPidNamespaceAlive(p));
    if (lost && sandbox.state === 'SANDBOX_READY') {
      sandbox.state = 'SANDBOX_NOTREADY';
      this.save();
    }
    return sandbox;
  }

  /** The sandbox's live network namespace in netns mode; undefined in loopback mode. */
  private attachment(sandbox: PodSandbox): PodNetworkAttachment | undefined {
    const a = this.state.networks![sandbox.id];
    if (!a) return undefined;
    if (!this.podNetwork.network?.alive(a)) throw new CodedError(CrxErrorCodes.conflict, `pod sandbox ${sandbox.id} has lost its network namespace (its pause process ${a.pid} is gone)`);
    return a;
  }

  private liveAddresses(): string[] {
    return Object.values(this.state.networks!).filter((a) => this.podNetwork.network?.alive(a)).map((a) => a.ip);
  }

  private containersOf(sandboxId: string): ContainerRecord[] {
    return Object.values(this.state.containers).filter((c) => c.sandboxId === sandboxId);
  }

  private sandbox(id: string): PodSandbox {
    const s = this.state.sandboxes[id];
    if (!s) throw new CodedError(CrxErrorCodes.notFound, `pod sandbox ${id} not found`);
    return s;
  }

  private container(id: string): ContainerRecord {
    const c = this.state.containers[id];
    if (!c) throw new CodedError(CrxErrorCodes.notFound, `container ${id} not found`);
    return c;
  }

  /** The state changed: written once for the changes made together (state-file.ts). */
  private save(): void {
    this.stateFile.changed();
  }

  /** Resolves once every change made so far is written to the state file (rejects if the write failed). */
  persisted(): Promise<void> {
    return this.stateFile.persisted();
  }
}

/**
 * A file of the pod's (`<sandbox>/resolv.conf` when the pod has a resolver, `<sandbox>/hosts`) as the same file in /etc
 * of an isolated container: a file of the container's own layer, written before the overlay is mounted, so set-up
 * mounts nothing for it. Only where the image has an /etc directory of its own (one that is a symlink would lead the
 * write out of the layer); the image's file, symlink or file, is covered by it, as a bind mount would cover it.
 */
function givePodFile(file: string, rootfs: string, upper: string): void {
  if (!existsSync(file)) return;
  try {
    if (!lstatSync(join(rootfs, 'etc')).isDirectory()) return;
  } catch {
    return;
  }
  mkdirSync(join(upper, 'etc'), { recursive: true });
  copyFileSync(file, join(upper, 'etc', basename(file)));
}

/**
 * The credentials of a container of the image at `rootfs`: its user (container-user.ts, from the image's own
 * /etc/passwd and /etc/group) and capabilities (capabilities.ts), from its securityContext.
 */
function containerCredentials(rootfs: string, imageUser: string | undefined, security: ContainerConfig['security']): ContainerCredentials {
  const user = containerUser(imageUser, security, { passwd: imageFile(rootfs, 'passwd'), group: imageFile(rootfs, 'group') });
  return {
    ...user,
    capabilities: capabilityMask(security).toString(16),
    ...(security?.noNewPrivileges ? { noNewPrivileges: true } : {}),
    ...(security?.readOnlyRootFilesystem ? { readOnlyRoot: true } : {}),
  };
}

/** A file of the image's /etc, when it is a file there: a symlink could lead the runtime to read the host's. */
function imageFile(rootfs: string, name: string): string | undefined {
  try {
    if (!lstatSync(join(rootfs, 'etc')).isDirectory() || !lstatSync(join(rootfs, 'etc', name)).isFile()) return undefined;
    return readFileSync(join(rootfs, 'etc', name), 'utf8');
  } catch {
    return undefined;
  }
}

function rootOf(pid: number): string | undefined {
  try {
    return require('node:fs').readlinkSync(`/proc/${pid}/root`);
  } catch {
    return undefined;
  }
}
