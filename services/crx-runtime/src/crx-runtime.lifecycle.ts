import { join } from 'node:path';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { crxRoot, CrxRuntimeConfig, podAddressing } from './crx-runtime.config';
import { CrxServer } from './runtime/crx-server';
import { LeaseWatchdog } from './runtime/lease-watchdog';
import { preparePodNetwork } from './runtime/pod-network';
import { ProcessDriver } from './runtime/process-driver';
import { RuntimeDriver } from './runtime/runtime-driver';
import { SimDriver } from './runtime/sim-driver';

/** Serves the host's runtime API; containers outlive this process (the host's shim keeps them). */
@Injectable()
export class CrxRuntimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: CrxServer;
  private watchdog?: LeaseWatchdog;
  private driver?: RuntimeDriver;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<CrxRuntimeConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, nats, logger } = this.ctx;
    const addressing = podAddressing(config);
    // Throws (and so stops the runtime) when CRX_POD_NETWORK=netns cannot be had.
    const podNetwork = preparePodNetwork({
      request: config.CRX_POD_NETWORK, podCIDR: config.POD_CIDR, driver: config.CRX_DRIVER, podSubnet: config.CRX_POD_SUBNET, hostName: config.HOST_NAME,
    });
    const driver: RuntimeDriver =
      config.CRX_DRIVER === 'sim'
        ? new SimDriver(addressing, { startDelayMs: config.CRX_SIM_START_DELAY_MS, failureRate: config.CRX_SIM_FAILURE_RATE })
        : new ProcessDriver(crxRoot(config), addressing, join(__dirname, 'shim', 'crx-shim.js'), podNetwork, (msg, fields) => logger.warn(msg, fields));
    this.driver = driver;
    // A sim runtime keeps its sandboxes in memory, and so its lease; the process runtime keeps both on disk.
    this.watchdog = new LeaseWatchdog(driver, {
      stateFile: config.CRX_DRIVER === 'sim' ? undefined : join(crxRoot(config), 'lease.json'),
      log: (msg, fields) => logger.warn(msg, fields),
    });
    this.watchdog.start();
    // Real process starts only: a sim burst of thousands of pods would just fill the log.
    const timed = config.CRX_DRIVER === 'sim' ? undefined : (op: string, ms: number, fields: Record<string, unknown>) => logger.info('crx step timed', { op, ms, ...fields });
    this.server = new CrxServer(nats, config.NATS_PREFIX, config.HOST_NAME, driver, this.watchdog, timed);
    this.server.start();
    await nats.flush(); // ready only once the server knows our subscriptions
    logger.info('ready', { host: config.HOST_NAME, podSubnet: config.CRX_POD_SUBNET || undefined, ...driver.version() });
  }

  beforeApplicationShutdown(): void {
    this.server?.stop();
    this.watchdog?.stop();
    this.driver?.close?.();
  }
}
