import { taintSchema } from '../object-meta.schema';
import { JsonSchema } from '../resource-definition';
import { freeForm, int, list, obj, oneOfStrings, quantity, str, strList, strMap } from '../vmoperator/schema-helpers';
import { conditions, duration, kindSchema, objectReference } from './common';

export const TKC_VERSIONS = ['v1alpha3', 'v1alpha2', 'v1alpha1'] as const;
export type TkcVersion = (typeof TKC_VERSIONS)[number];

const cidrBlocks = obj({ cidrBlocks: strList });

/** `spec.settings`: one shape in every version. */
const settings = obj({
  network: obj({
    cni: obj({ name: str }),
    pods: cidrBlocks,
    services: cidrBlocks,
    serviceDomain: str,
    proxy: obj({ httpProxy: str, httpsProxy: str, noProxy: strList }),
    trust: obj({ additionalTrustedCAs: list(obj({ name: str, data: str }, ['name', 'data'])) }),
  }),
  storage: obj({ classes: strList, defaultClass: str }),
});

const distribution = obj({ fullVersion: str, version: str });
const volumes = list(obj({ name: str, mountPath: str, capacity: obj({ storage: quantity }), storageClass: str }, ['name', 'mountPath', 'capacity']));
const apiEndpoints = list(obj({ host: str, port: int }));

// v1alpha2 / v1alpha3 ---------------------------------------------------------------------------------

const tkr = obj({ reference: objectReference });

const controlPlane = obj({ replicas: int, vmClass: str, storageClass: str, volumes, tkr, nodeDrainTimeout: duration }, ['vmClass', 'storageClass']);

function nodePool(withFailureDomain: boolean): JsonSchema {
  const zone: Record<string, JsonSchema> = withFailureDomain ? { failureDomain: str } : {};
  return obj(
    { name: str, labels: strMap, taints: list(taintSchema), replicas: int, vmClass: str, storageClass: str, volumes, tkr, nodeDrainTimeout: duration, ...zone },
    ['name', 'vmClass', 'storageClass'],
  );
}

const perNodeStatus: Record<string, JsonSchema> = { nodeStatus: strMap, vmStatus: strMap };

const addonTypes = oneOfStrings('AuthService', 'CNI', 'CPI', 'CSI', 'DNS', 'Proxy', 'PSP', 'MetricsServer');

/**
 * v1alpha2 as tanzu-framework has it; v1alpha3 adds `nodePools[].failureDomain` (VMware docs). OpenPacific's
 * v1alpha3 also keeps v1alpha1's per-node `nodeStatus`/`vmStatus` maps, so the controller writing at the
 * storage version can fill them for v1alpha1 readers.
 */
export function tkcSchema(version: 'v1alpha2' | 'v1alpha3'): JsonSchema {
  const v3 = version === 'v1alpha3';
  const spec = obj(
    { topology: obj({ controlPlane, nodePools: list(nodePool(v3)) }, ['controlPlane', 'nodePools']), distribution, settings },
    ['topology'],
  );
  const status = obj({
    apiEndpoints,
    version: str,
    addons: list(obj({ name: str, type: addonTypes, version: str, conditions }, ['type'])),
    phase: str,
    conditions,
    totalWorkerReplicas: int,
    ...(v3 ? perNodeStatus : {}),
  });
  return kindSchema(spec, status);
}

// v1alpha1 --------------------------------------------------------------------------------------------

const v1alpha1Node = obj({ count: int, class: str, storageClass: str, volumes }, ['class', 'storageClass']);

/** v1alpha1 addon statuses are keyed by addon; only what maps to v1alpha2 is modelled. */
const v1alpha1Addon: JsonSchema = { ...freeForm, properties: { name: str, version: str, conditions } };

export const V1ALPHA1_ADDON_TYPES: Record<string, string> = {
  authsvc: 'AuthService',
  cni: 'CNI',
  cloudprovider: 'CPI',
  csi: 'CSI',
  dns: 'DNS',
  proxy: 'Proxy',
  psp: 'PSP',
};

export const tkcV1alpha1Schema: JsonSchema = kindSchema(
  obj({ topology: obj({ controlPlane: v1alpha1Node, workers: v1alpha1Node }, ['controlPlane', 'workers']), distribution, settings }, ['topology']),
  obj({
    clusterApiStatus: obj({ apiEndpoints, errorReason: str, errorMessage: str, phase: str }),
    vmStatus: strMap,
    nodeStatus: strMap,
    upgrade: freeForm,
    version: str,
    addons: obj(Object.fromEntries(Object.keys(V1ALPHA1_ADDON_TYPES).map((k) => [k, v1alpha1Addon]))),
    phase: str,
    nodeRemediationCount: int,
  }),
);

export const tkcSchemas: Record<TkcVersion, JsonSchema> = {
  v1alpha3: tkcSchema('v1alpha3'),
  v1alpha2: tkcSchema('v1alpha2'),
  v1alpha1: tkcV1alpha1Schema,
};
