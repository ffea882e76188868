import { resolve } from 'node:path';
import { parseCIDR } from '@openpacific/contracts';
import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface GatewayConfig extends BaseConfig {
  GATEWAY_PORT: number;
  GATEWAY_BIND: string;
  /** The address written into kubeconfigs; when unset, https://127.0.0.1:<the port actually bound>. */
  GATEWAY_PUBLIC_URL?: string;
  /** Where the CA, serving certificate, admin token and kubeconfig live; always absolute after boot. */
  DATA_DIR: string;
  /** How long a write waits for the policy service's answer; registered admission webhooks add their timeouts (webhook-budget.ts). */
  ADMISSION_TIMEOUT_MS: number;
  /**
   * Whether a write that no admitter of the policy service could touch (no webhook configuration, no policy binding,
   * nothing in the namespace that the namespace's admitters read: gateway/admission/policy-applies.ts) is stored
   * without asking the policy service. false: every write is asked about, as before.
   */
  ADMISSION_SKIP_WHEN_NOTHING_APPLIES: boolean;
  /** Comma-separated DNS names and IP addresses for the serving certificate. */
  TLS_SANS: string;
  WATCH_CACHE_SIZE: number;
  /** Whether this instance writes DATA_DIR/kubeconfig (a second replica sharing DATA_DIR leaves it to the first). */
  GATEWAY_WRITE_KUBECONFIG: boolean;
  /** Replicas of the JetStream event stream: 3 on a three-server NATS cluster. */
  EVENT_STREAM_REPLICAS: number;
  /** The /16 that Services' cluster IPs are allocated from (the cluster network's, see libs/contracts pod-network). */
  SERVICE_CIDR: string;
  /**
   * Whether every served version's schema validator is made as soon as the gateway serves, so that the first object
   * of a kind does not wait for its own. The built-in kinds' come precompiled from the build (dist/schema-validators.js,
   * deploy/precompile-validators.mjs): making them all is then loading that file and looking each up, about 0.2 s
   * of CPU; without the file (or for a schema changed since the build) they are compiled, 3-5 s of CPU. False makes
   * each at its kind's first use instead (from the file too, loaded at the first). A guest cluster's gateway says
   * false: its clients use a few kinds, and its workers start on the same cores meanwhile.
   */
  GATEWAY_PRECOMPILE_SCHEMAS: boolean;
  /**
   * leaseDurationSeconds of this replica's identity Lease in kube-system (renewed every 10 s, or a third of it if
   * shorter): how long after its last renewal a replica that stopped stays in the `kubernetes` Service's endpoints.
   */
  GATEWAY_LEASE_DURATION_SECONDS: number;
  /**
   * A guest cluster's gateway: the Supervisor's ServiceAccount issuer public key (PEM file), its issuer and this
   * cluster's session audience. Set together, they let the Supervisor's `kubectl vsphere login` sessions for this
   * cluster in, as `sso:<user>`; unset (the Supervisor's own gateway), no such token is taken.
   */
  SUPERVISOR_ISSUER_PUBLIC_KEY_FILE?: string;
  SUPERVISOR_ISSUER?: string;
  SUPERVISOR_SESSION_AUDIENCE?: string;
  /** `kubectl vsphere login`'s lockout (auth/wcp-login-lockout.ts), vCenter SSO's defaults: 5 failures in 180 s lock a name 300 s. */
  WCP_LOGIN_MAX_FAILURES: number;
  WCP_LOGIN_FAILURE_WINDOW_SECONDS: number;
  WCP_LOGIN_LOCKOUT_SECONDS: number;
  /**
   * How long a client may take to send a whole request, headers and body (kube-apiserver gives a request 60 s): a
   * request not received by then is answered 408 and its connection closed. A response (a watch, a log follow) is
   * not bounded by it.
   */
  GATEWAY_REQUEST_TIMEOUT_SECONDS: number;
}

export const gatewayConfigSchema = baseSchema({
  GATEWAY_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 6443 },
  GATEWAY_BIND: { type: 'string', minLength: 1, default: '127.0.0.1' },
  GATEWAY_PUBLIC_URL: { type: 'string', format: 'uri', pattern: '^https://' },
  DATA_DIR: { type: 'string', minLength: 1, default: '.data' },
  ADMISSION_TIMEOUT_MS: { type: 'integer', minimum: 1, default: 2000 },
  ADMISSION_SKIP_WHEN_NOTHING_APPLIES: { type: 'boolean', default: true },
  TLS_SANS: { type: 'string', pattern: '^[^,\\s]+(\\s*,\\s*[^,\\s]+)*$', default: 'localhost,127.0.0.1,api-gateway' },
  WATCH_CACHE_SIZE: { type: 'integer', minimum: 1, default: 10000 },
  GATEWAY_WRITE_KUBECONFIG: { type: 'boolean', default: true },
  EVENT_STREAM_REPLICAS: { type: 'integer', minimum: 1, maximum: 5, default: 1 },
  SERVICE_CIDR: { type: 'string', pattern: '^\\d{1,3}(\\.\\d{1,3}){3}/16$', default: '127.202.0.0/16' },
  GATEWAY_PRECOMPILE_SCHEMAS: { type: 'boolean', default: true },
  GATEWAY_LEASE_DURATION_SECONDS: { type: 'integer', minimum: 1, maximum: 3600, default: 30 },
  SUPERVISOR_ISSUER_PUBLIC_KEY_FILE: { type: 'string', minLength: 1 },
  SUPERVISOR_ISSUER: { type: 'string', minLength: 1 },
  SUPERVISOR_SESSION_AUDIENCE: { type: 'string', minLength: 1 },
  WCP_LOGIN_MAX_FAILURES: { type: 'integer', minimum: 1, maximum: 1000, default: 5 },
  WCP_LOGIN_FAILURE_WINDOW_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 180 },
  WCP_LOGIN_LOCKOUT_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 300 },
  GATEWAY_REQUEST_TIMEOUT_SECONDS: { type: 'integer', minimum: 1, maximum: 3600, default: 60 },
});

/** Every service's schema goes by this name; the compose test reads it. */
export const configSchema = gatewayConfigSchema;

/** What the schema cannot say: DATA_DIR relative to the working directory, the public URL from a fixed port, octets of SERVICE_CIDR. */
export function prepareGatewayConfig(config: GatewayConfig, cwd = process.cwd()): GatewayConfig {
  parseCIDR(config.SERVICE_CIDR, 'SERVICE_CIDR', 16);
  const publicUrl =
    config.GATEWAY_PUBLIC_URL ?? (config.GATEWAY_PORT !== 0 ? `https://127.0.0.1:${config.GATEWAY_PORT}` : undefined);
  return { ...config, DATA_DIR: resolve(cwd, config.DATA_DIR), GATEWAY_PUBLIC_URL: publicUrl };
}

export function tlsSans(config: Pick<GatewayConfig, 'TLS_SANS'>): string[] {
  return config.TLS_SANS.split(',').map((s) => s.trim()).filter(Boolean);
}
