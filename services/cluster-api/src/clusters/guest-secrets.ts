import { GuestNodeConfig, renderNodeBootstrap, rfc3339 } from '@openpacific/contracts';
import { renderKubeconfig } from '@openpacific/kube-api';
import { randomBytes, randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { LABELS, ownerRef } from './objects';

/** The Secret type Cluster API gives the secrets it writes for a cluster. */
export const CLUSTER_SECRET_TYPE = 'cluster.x-k8s.io/secret';
/** The /24 a machine's pods take their addresses from (allotted once, kept on the Machine). */
export const POD_SUBNET_ANNOTATION = 'openpacific.io/pod-subnet';

/** The names Cluster API gives a cluster's secrets. */
export const secretNames = {
  ca: (cluster: string) => `${cluster}-ca`,
  encryption: (cluster: string) => `${cluster}-encryption`,
  kubeconfig: (cluster: string) => `${cluster}-kubeconfig`,
};

/** A Secret as a controller creates it: string values stored base64 in `data`, owned by `owner`. */
export function secretObject(owner: any, name: string, values: Record<string, string>, clusterName: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      uid: randomUUID(),
      creationTimestamp: rfc3339(),
      labels: { [LABELS.cluster]: clusterName },
      ownerReferences: [ownerRef(owner)],
    },
    type: CLUSTER_SECRET_TYPE,
    data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
}

export function secretValue(secret: any, key: string): string | undefined {
  const raw = secret?.data?.[key];
  return raw === undefined ? secret?.stringData?.[key] : Buffer.from(raw, 'base64').toString('utf8');
}

/** A fresh secrets-encryption key for a guest cluster: 32 random bytes, base64. */
export function newEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

/** The admin kubeconfig of a guest cluster: its endpoint, its CA, a new bearer token. */
export function kubeconfigFor(clusterName: string, endpoint: { host: string; port: number }, caCertPem: string): string {
  return renderKubeconfig({
    server: `https://${endpoint.host}:${endpoint.port}`,
    caCertPem,
    clusterName,
    users: [{ name: `${clusterName}-admin`, token: randomBytes(32).toString('base64url') }],
    contextName: `${clusterName}-admin@${clusterName}`,
    namespace: 'default',
  });
}

/** What a client needs from a kubeconfig Secret: server, CA and token. */
export function kubeconfigAccess(secret: any): { server: string; caCertPem: string; token: string } | undefined {
  const text = secretValue(secret, 'value');
  if (!text) return undefined;
  try {
    const doc = parse(text);
    const cluster = doc.clusters?.[0]?.cluster;
    const token = doc.users?.[0]?.user?.token;
    if (!cluster?.server || !cluster['certificate-authority-data'] || !token) return undefined;
    return { server: cluster.server, caCertPem: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'), token };
  } catch {
    return undefined;
  }
}

/**
 * The first free /24 for a machine's pods in 127.16.0.0–127.63.255.0 (clear of the Supervisor's host pod
 * ranges from 127.100, VM addresses from 127.64 and the loopback service ranges from 127.200).
 */
export function freePodSubnet(used: Set<string>): string | undefined {
  for (let i = 0; i < 48 * 256; i++) {
    const subnet = `127.${16 + Math.floor(i / 256)}.${i % 256}.0/24`;
    if (!used.has(subnet)) return subnet;
  }
  return undefined;
}

export function bootstrapUserData(config: GuestNodeConfig): string {
  return renderNodeBootstrap(config);
}
