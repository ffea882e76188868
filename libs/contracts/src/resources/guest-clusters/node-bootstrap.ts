/**
 * The bootstrap data of a guest cluster's machine: what cluster-api writes into the Machine's data Secret
 * (key `value`, as Cluster API's bootstrap providers do) and the VM hands to its guest as cloud-init user
 * data. A guest booted from a node image reads the `openpacific` section and starts the programs of its
 * role against the guest cluster's own database and NATS prefix:
 *
 * - `control-plane`: policy, api-gateway (on the VM's address, port 6443, with the cluster's CA and admin
 *   token), scheduler and, with the cluster's own Service range, vm-operator's Service controllers;
 * - `worker`: spherelet-agent and crx-runtime, registering the node `nodeName`, pods addressed in `podSubnet`.
 *
 * It is data only, never commands: a guest runs nothing but the programs of its role.
 */
export interface GuestNodeConfig {
  role: 'control-plane' | 'worker';
  cluster: { name: string; namespace: string; uid: string };
  /** The Machine (and VM) name: the guest's node name. */
  nodeName: string;
  /** The guest cluster's own database (on the Supervisor's Postgres server). */
  databaseUrl: string;
  natsUrl: string;
  /** The guest cluster's NATS prefix: its subjects and JetStream stream are its own. */
  natsPrefix: string;
  /** 32 bytes, base64: the guest's Secrets encryption key (the `<cluster>-encryption` Secret). */
  secretsEncryptionKey: string;
  /** The load balancer in front of the control plane: the address kubeconfigs name. */
  controlPlaneEndpoint: { host: string; port: number };
  /** Control plane only: the cluster CA (`<cluster>-ca`) and the admin's bearer token. */
  caCertPem?: string;
  caKeyPem?: string;
  adminToken?: string;
  /** Worker only: the /24 its pods take their addresses from (`127.16.3.0/24`). */
  podSubnet?: string;
  /**
   * The guest cluster's own Service range (`127.4.0.0/16`: annotation `openpacific.io/service-cidr` on its
   * Cluster), the SERVICE_CIDR of every program of the node. Absent in data made before guests had their own: such a
   * node runs no service proxy (its addresses would be the Supervisor's).
   */
  serviceCIDR?: string;
  /**
   * Only in data of a Cluster made when each guest took a pair of /16s: its second (`openpacific.io/loadbalancer-cidr`),
   * the LOADBALANCER_CIDR of the node's programs. Nothing in a guest uses it (a guest's LoadBalancer ingress comes
   * from the Supervisor); it is kept so such a node runs as it did.
   */
  loadBalancerCIDR?: string;
  /**
   * Control plane only: how its api-gateway recognises the Supervisor's sessions for this cluster (`kubectl vsphere
   * login --tanzu-kubernetes-cluster-name`): RS256 JWTs of the Supervisor's ServiceAccount issuer (`issuer`, its
   * public key in PEM) naming `audience` (`guestSessionAudience`), whose users it takes as `sso:<name>`.
   */
  supervisorSessions?: { issuer: string; audience: string; publicKeyPem: string };
  /**
   * The guest cluster's datastore: an absolute directory that no VM owns (`<Supervisor datastore>/guests/<cluster
   * uid>`, `guestDatastoreDir`), where the guest's scheduler provisions its volumes (its DATASTORE_DIR), so they
   * outlive any control-plane VM. Absent in data made before: such a node keeps them in its own VM's folder.
   */
  datastoreDir?: string;
}

/** The folder of the Supervisor's datastore that holds the guest clusters' datastores. */
export const GUEST_DATASTORES_FOLDER = 'guests';

/**
 * A guest cluster's datastore under the Supervisor's: `<supervisorDatastore>/guests/<cluster uid>`. Only a uid's
 * characters (hex digits and dashes) make the last part, so no Cluster can name a folder outside; undefined for
 * anything else.
 */
export function guestDatastoreDir(supervisorDatastore: string, clusterUid: string): string | undefined {
  if (!/^[0-9a-fA-F][0-9a-fA-F-]{0,63}$/.test(clusterUid)) return undefined;
  return `${supervisorDatastore.replace(/\/+$/, '')}/${GUEST_DATASTORES_FOLDER}/${clusterUid}`;
}

/**
 * The audience of the Supervisor's session tokens for one guest cluster: its namespace, name and uid, so that a
 * token for one cluster (or for an earlier cluster of the same name) is good nowhere else.
 */
export function guestSessionAudience(cluster: { namespace: string; name: string; uid: string }): string {
  return `wcp:${cluster.namespace}/${cluster.name}/${cluster.uid}`;
}

/** The key of the user data section a node image reads. */
export const NODE_BOOTSTRAP_SECTION = 'openpacific';
/** The key of a Cluster API bootstrap data Secret that holds the user data. */
export const BOOTSTRAP_DATA_KEY = 'value';
/** The label set on every process of a guest, so what belongs to a cluster can be found (and proven gone). */
export const GUEST_CLUSTER_ENV = 'OPENPACIFIC_GUEST_CLUSTER';

/**
 * Where a guest cluster's state lives on the Supervisor's servers, named after its Cluster's uid (16 hex
 * digits of it): its database `guest_<hex>` on the Supervisor's Postgres and its NATS prefix `g<hex>`.
 */
export function guestStoreNames(clusterUid: string): { database: string; natsPrefix: string } {
  const hex = clusterUid.replace(/-/g, '').toLowerCase().slice(0, 16);
  return { database: `guest_${hex}`, natsPrefix: `g${hex}` };
}

/** Cloud-config user data for a machine (JSON is YAML, so `#cloud-config` readers accept it). */
export function renderNodeBootstrap(config: GuestNodeConfig): string {
  return `#cloud-config\n${JSON.stringify({ [NODE_BOOTSTRAP_SECTION]: config }, null, 2)}\n`;
}

/** The node section of cloud-config user data; undefined when the data has none (a plain VM). */
export function parseNodeBootstrap(userData: string | undefined): GuestNodeConfig | undefined {
  if (!userData) return undefined;
  const body = userData.replace(/^#cloud-config[^\n]*\n/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined;
  }
  const section = (doc as Record<string, unknown> | null)?.[NODE_BOOTSTRAP_SECTION] as GuestNodeConfig | undefined;
  if (!section || typeof section !== 'object') return undefined;
  if (section.role !== 'control-plane' && section.role !== 'worker') return undefined;
  if (typeof section.nodeName !== 'string' || typeof section.databaseUrl !== 'string' || typeof section.natsPrefix !== 'string') return undefined;
  return section;
}
