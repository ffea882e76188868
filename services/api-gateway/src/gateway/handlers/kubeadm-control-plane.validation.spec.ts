import { resourceDefinitions } from '@openpacific/contracts';
import { strategyFor } from './kind-strategies';
import { refuseKubeadmControlPlaneScale } from './capi-kinds.strategy';
import { defaultKubeadmControlPlane, mergePatchPaths, validateKubeadmControlPlaneCreate, validateKubeadmControlPlaneUpdate } from './kubeadm-control-plane.validation';
import { statusOf } from './thrown-status.spec-support';

const kcp = (spec: any = {}) => ({
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: { name: 'c1-control-plane', namespace: 'tkg-team' },
  spec: {
    replicas: 1, version: 'v1.29.4',
    machineTemplate: { infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'c1-cp' } },
    kubeadmConfigSpec: {},
    ...spec,
  },
});
const messages = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe("KubeadmControlPlane admission (Cluster API's KubeadmControlPlane webhook)", () => {
  it('is the strategy of the kind', () => {
    const def = resourceDefinitions.find((d) => d.kind === 'KubeadmControlPlane')!;
    expect(strategyFor(def).validateCreate!(kcp({ replicas: 2 }), undefined as any)).toHaveLength(1);
  });

  it('takes a control plane of 1 or 3 machines, and one of 2 or 4 when etcd is external', () => {
    expect(validateKubeadmControlPlaneCreate(kcp())).toEqual([]);
    expect(validateKubeadmControlPlaneCreate(kcp({ replicas: 3 }))).toEqual([]);
    expect(validateKubeadmControlPlaneCreate(kcp({ replicas: undefined }))).toEqual([]);
    const external = { clusterConfiguration: { etcd: { external: { endpoints: ['https://etcd:2379'] } } } };
    expect(validateKubeadmControlPlaneCreate(kcp({ replicas: 2, kubeadmConfigSpec: external }))).toEqual([]);
  });

  it('refuses no machines, fewer, and an even number with stacked etcd, in the webhook\'s words', () => {
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ replicas: 0 })))).toEqual([
      'spec.replicas: Forbidden: cannot be less than or equal to 0',
      'spec.replicas: Forbidden: cannot be an even number when etcd is stacked',
    ]);
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ replicas: -1 })))).toEqual(['spec.replicas: Forbidden: cannot be less than or equal to 0']);
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ replicas: 2 })))).toEqual(['spec.replicas: Forbidden: cannot be an even number when etcd is stacked']);
  });

  it('refuses a version that is not a semantic version, named with the `v` defaulting gives it', () => {
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ version: '1.29' })))).toEqual(['spec.version: Invalid value: "v1.29": must be a valid semantic version']);
    expect(validateKubeadmControlPlaneCreate(kcp({ version: 'v1.29.4---vmware.3-fips.1-tkg.1' }))).toEqual([]);
    expect(defaultKubeadmControlPlane(kcp({ version: '1.29.4' })).spec.version).toBe('v1.29.4');
  });

  it('refuses an incomplete infrastructure reference, one in another namespace, and bad template labels', () => {
    const causes = validateKubeadmControlPlaneCreate(kcp({ machineTemplate: { infrastructureRef: { kind: 'VSphereMachineTemplate', namespace: 'other' }, metadata: { labels: { 'a b': 'c' } } } }));
    expect(messages(causes)).toEqual([
      'spec.machineTemplate.infrastructure.apiVersion: Invalid value: "": cannot be empty',
      'spec.machineTemplate.infrastructure.name: Invalid value: "": cannot be empty',
      'spec.machineTemplate.infrastructure.namespace: Invalid value: "other": must match metadata.namespace',
      expect.stringMatching(/^spec\.machineTemplate\.metadata\.labels: Invalid value: "a b": name part must consist of/),
    ]);
  });

  it('refuses a rollout surging by other than 1 or 0, 0 below 3 machines, and certificates renewed less than 7 days ahead', () => {
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ rolloutStrategy: { rollingUpdate: { maxSurge: 2 } } })))).toEqual([
      'spec.rolloutStrategy.rollingUpdate.maxSurge: Required value: value must be 1 or 0',
    ]);
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } } })))).toEqual([
      'spec.rolloutStrategy.rollingUpdate: Required value: when KubeadmControlPlane is configured to scale-in, replica count needs to be at least 3',
    ]);
    expect(validateKubeadmControlPlaneCreate(kcp({ replicas: 3, rolloutStrategy: { rollingUpdate: { maxSurge: 0 } } }))).toEqual([]);
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ rolloutBefore: { certificatesExpiryDays: 5 } })))).toEqual([
      'spec.rolloutBefore.certificatesExpiryDays: Invalid value: 5: must be greater than or equal to 7',
    ]);
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ machineNamingStrategy: { template: '{{ .kubeadmControlPlane.name }}' } })))).toEqual([
      'spec.machineNamingStrategy.template: Invalid value: "{{ .kubeadmControlPlane.name }}": invalid template, {{ .random }} is missing',
    ]);
  });

  it('refuses bad image tags and etcd both local and external', () => {
    const config = { clusterConfiguration: { dns: { imageTag: 'v1.11!' }, etcd: { local: { imageTag: '3.5.0' }, external: { endpoints: [] } } } };
    expect(messages(validateKubeadmControlPlaneCreate(kcp({ replicas: 3, kubeadmConfigSpec: config })))).toEqual([
      'spec.kubeadmConfigSpec.clusterConfiguration.dns.imageTag: Forbidden: tag v1.11! is invalid',
      'dns.imageTag: Invalid value: "v1.11!": failed to parse CoreDNS version: failed to parse major.minor.patch from "v1.11!"',
      'spec.kubeadmConfigSpec.clusterConfiguration.etcd.local: Forbidden: cannot have both external and local etcd',
    ]);
  });

  it('refuses a version two minor versions up, but takes one up and one down', () => {
    const old = kcp({ version: 'v1.29.4' });
    expect(messages(validateKubeadmControlPlaneUpdate(old, kcp({ version: 'v1.31.0' })))).toEqual(['spec.version: Forbidden: cannot update Kubernetes version from v1.29.4 to v1.31.0']);
    expect(validateKubeadmControlPlaneUpdate(old, kcp({ version: 'v1.30.9' }))).toEqual([]);
    expect(validateKubeadmControlPlaneUpdate(old, kcp({ version: 'v1.28.0' }))).toEqual([]);
    expect(messages(validateKubeadmControlPlaneUpdate(old, kcp({ version: 'v1.29' })))).toEqual([
      'spec.version: Invalid value: "v1.29": must be a valid semantic version',
      'spec.version: Internal error: failed to parse updated kubeadmcontrolplane version: v1.29: failed to parse major.minor.patch from "v1.29"',
    ]);
  });

  it('refuses a change to what the webhook does not let change, and a switch of etcd', () => {
    const old = kcp({ kubeadmConfigSpec: { clusterConfiguration: { networking: { podSubnet: '10.0.0.0/16' }, etcd: { local: {} } } } });
    const next = kcp({
      machineTemplate: { infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'c1-cp-2', namespace: 'tkg-team' } },
      kubeadmConfigSpec: { clusterConfiguration: { networking: { podSubnet: '10.1.0.0/16' }, etcd: { external: { endpoints: ['https://e:2379'] } } }, files: [{ path: '/x', content: 'y' }] },
    });
    expect(messages(validateKubeadmControlPlaneUpdate(old, next))).toEqual([
      'spec.kubeadmConfigSpec.clusterConfiguration.networking.podSubnet: Forbidden: cannot be modified',
      'spec.machineTemplate.infrastructureRef.namespace: Forbidden: cannot be modified',
      'spec.kubeadmConfigSpec.clusterConfiguration.etcd.external: Forbidden: cannot change between external and local etcd',
    ]);
  });

  it('lists the paths of a merge patch as the webhook does: added objects by their fields, removals by their own path', () => {
    expect(mergePatchPaths({ a: { b: 1, c: 2 } }, { a: { b: 1, d: { e: 3, f: {} } } })).toEqual([['a', 'c'], ['a', 'd', 'e']]);
  });

  it("lets a user label a control plane the system wrote with an even count and an image's name for its version", () => {
    const written = kcp({ replicas: 2, version: 'ob-22-tkr-v1-29' });
    const labelled = { ...written, metadata: { ...written.metadata, labels: { team: 'a' } } };
    expect(validateKubeadmControlPlaneUpdate(written, labelled)).toEqual([]);
    expect(messages(validateKubeadmControlPlaneUpdate(written, { ...labelled, spec: { ...labelled.spec, replicas: 4 } }))).toEqual([
      'spec.replicas: Forbidden: cannot be an even number when etcd is stacked',
    ]);
  });

  it('answers a duration it cannot decode with its defaulting webhook\'s 400', () => {
    const status = statusOf(() => defaultKubeadmControlPlane(kcp({ machineTemplate: { ...kcp().spec.machineTemplate, nodeDrainTimeout: '5' } })));
    expect(status).toMatchObject({ code: 400, message: 'admission webhook "default.kubeadmcontrolplane.controlplane.cluster.x-k8s.io" denied the request: time: missing unit in duration "5"' });
  });
});

describe('KubeadmControlPlane\'s scale webhook', () => {
  const denied = (why: string) => `admission webhook "validation-scale.kubeadmcontrolplane.controlplane.cluster.x-k8s.io" denied the request: ${why}`;
  it('refuses 0, and an even count unless etcd is external', () => {
    const stacked = { spec: { replicas: 1 } };
    const external = { spec: { kubeadmConfigSpec: { clusterConfiguration: { etcd: { external: { endpoints: ['https://etcd:2379'] } } } } } };
    expect(refuseKubeadmControlPlaneScale(stacked, 0)).toBe(denied('replicas cannot be 0'));
    expect(refuseKubeadmControlPlaneScale(external, 0)).toBe(denied('replicas cannot be 0'));
    expect(refuseKubeadmControlPlaneScale(stacked, 2)).toBe(denied('replicas cannot be an even number when etcd is stacked'));
    expect(refuseKubeadmControlPlaneScale(external, 2)).toBeUndefined();
    expect(refuseKubeadmControlPlaneScale(stacked, 3)).toBeUndefined();
  });
});
