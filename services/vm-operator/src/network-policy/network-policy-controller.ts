import { ClusterNetwork, NETWORK_POLICIES_RESOURCE } from '@openpacific/contracts';
import { controllerReadModel, PassLoop, type SharedFollower } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { Backend } from '../services/tcp-load-balancer';
import { findNft, NftTableApplier } from './nft-applier';
import { policyTableName, renderPolicyRuleset } from './nft-ruleset';
import { PolicyEvaluator } from './policy-evaluator';

const WATCHED = new Set(['pods', 'namespaces', NETWORK_POLICIES_RESOURCE]);

export interface NetworkPolicyControllerDeps {
  /** The log, read through it when policies are enforced; the caller starts it (replaying the log) before `start`. */
  feed: SharedFollower;
  logger: Logger;
  network: ClusterNetwork;
  /** The nft binary; found on PATH when not given. */
  nft?: string;
}

/**
 * Enforces NetworkPolicies on the machine (in the elected vm-operator): from its own read model of pods,
 * namespaces and policies it renders the cluster's nftables table and applies it whenever it changes (pod→pod
 * traffic, in the forward hook), and answers the Service load balancers' question for pod→Service connections,
 * which the kernel never forwards. Only with a pod network (POD_CIDR) and nft; otherwise it says once why not and
 * admits everything.
 */
export class NetworkPolicyController {
  private readonly model = controllerReadModel([...WATCHED]);
  private loop?: PassLoop;
  private applier?: NftTableApplier;
  private evaluator?: PolicyEvaluator;
  /** Why policies are not enforced, found once: where they are not, the model does not follow the log at all. */
  private readonly notEnforced: string | undefined;

  constructor(private readonly deps: NetworkPolicyControllerDeps) {
    this.notEnforced = this.notEnforcedReason();
    if (this.notEnforced) return;
    deps.feed.addModel(this.model, () => this.loop?.schedule());
  }

  /** Why policies are not enforced here, or undefined when they are. */
  notEnforcedReason(): string | undefined {
    if (!this.deps.network.podCIDR) return 'POD_CIDR is not set: pods share the hosts\' network';
    if (!(this.deps.nft ?? findNft())) return 'nft (nftables) is not on PATH';
    return undefined;
  }

  start(): void {
    if (this.notEnforced) {
      this.deps.logger.warn('network policies not enforced', { reason: this.notEnforced });
      return;
    }
    const { podCIDR } = this.deps.network;
    this.applier = new NftTableApplier((this.deps.nft ?? findNft())!, policyTableName(podCIDR));
    // A change during a pass runs the next pass at once (retryMs); a failed nft apply waits for the resync instead.
    this.loop = new PassLoop(() => this.pass(), { resyncMs: 2000, retryMs: 10, onError: (err) => this.deps.logger.warn('network policy pass failed', { error: (err as Error).message }) });
    this.loop.start();
    this.deps.logger.info('network policies enforced', { podCIDR, table: policyTableName(podCIDR) });
  }

  /** Idempotent: a deposed leader's stop may follow a shutdown's. */
  async stop(): Promise<void> {
    const { loop, applier } = this;
    this.loop = this.applier = this.evaluator = undefined;
    loop?.stop();
    try {
      await applier?.remove();
    } catch (err) {
      this.deps.logger.warn('network policy table not removed', { error: (err as Error).message });
    }
  }

  /** Whether a new connection from `srcIP` to `dstIP`:`port` may go; everything may where policies are not enforced. */
  allows(srcIP: string, dstIP: string, port: number, protocol = 'TCP'): boolean {
    return this.evaluator ? this.evaluator.allows(srcIP, dstIP, port, protocol) : true;
  }

  /** The Service load balancers' hook: may this client (a socket's remote address) reach this backend? */
  readonly admit = (clientAddress: string, backend: Backend, _servicePort?: number, protocol: 'TCP' | 'UDP' = 'TCP'): boolean =>
    this.allows(clientAddress.replace(/^::ffff:/, ''), backend.address, backend.port, protocol);

  private async pass(): Promise<void> {
    const { podCIDR } = this.deps.network;
    const evaluator = new PolicyEvaluator({
      podCIDR,
      pods: this.model.list('pods').map((s) => s.object),
      namespaces: this.model.list('namespaces').map((s) => s.object),
      policies: this.model.list(NETWORK_POLICIES_RESOURCE).map((s) => s.object),
    });
    this.evaluator = evaluator;
    const started = Date.now();
    try {
      if (await this.applier?.apply(renderPolicyRuleset(evaluator, podCIDR))) {
        this.deps.logger.info('network policy ruleset applied', { pods: evaluator.pods().length, ms: Date.now() - started });
      }
    } catch (err) {
      this.deps.logger.warn('network policy ruleset not applied', { table: policyTableName(podCIDR), error: (err as Error).message });
    }
  }
}
