import { labelSelectorFields } from './common';
import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

/*
 * Guest clusters (docs/guest-clusters.md): TanzuKubernetesCluster, then Cluster API objects, then VM Operator VMs, run by the
 * cluster-api service; and the Host, a host of the fleet. Where OpenPacific keeps a field without acting on it, the
 * description says so.
 */

// --- Shared structures ---------------------------------------------------------------------------------------------

/** corev1.ObjectReference's fields; the reference's own entry says what it points at. */
const referenceFields: FieldDescriptions = {
  apiVersion: 'The API group and version of the object referred to (`controlplane.cluster.x-k8s.io/v1beta1`).',
  kind: 'The kind of the object referred to (`KubeadmControlPlane`, `VSphereCluster`).',
  name: 'The name of the object referred to.',
  namespace: "The namespace of the object referred to; empty means this object's own namespace.",
  uid: 'The uid of the object referred to, telling it from a later object of the same name. Usually empty; OpenPacific finds objects by name.',
  resourceVersion: 'The resourceVersion the object had when the reference was made. Usually empty; not read by OpenPacific.',
  fieldPath: 'A field inside the object, for a reference to part of it (`spec.containers{web}`). Not used by these references.',
};

/** Cluster API's condition (v1beta1), as every Cluster API kind reports them. */
const conditionFields: FieldDescriptions = {
  type: 'What the condition is about, in CamelCase (`Ready`, `InfrastructureReady`). At most one entry per type.',
  status: 'Whether the condition holds: `True`, `False` or `Unknown`.',
  severity: "How serious a `False` condition is: `Error`, `Warning` or `Info`; empty when it is `True`. OpenPacific's controllers leave it empty.",
  lastTransitionTime: 'When `status` last changed (RFC 3339, UTC).',
  reason: 'A CamelCase word for why the condition is not `True` (`NotReady`, `WaitingForBootstrapData`).',
  message: 'A sentence for people with the details of the reason.',
};

/** A template's metadata (Cluster API's ObjectMeta: labels and annotations only). */
const templateMetaFields: FieldDescriptions = {
  '': "Labels and annotations meant for each object made from the template. OpenPacific does not copy them yet: what it makes carries the `cluster.x-k8s.io/...` labels it sets itself.",
  labels: 'Labels for each object made from the template.',
  annotations: 'Annotations for each object made from the template.',
};

const readinessGateFields: FieldDescriptions = {
  '': "Extra conditions of the machine that must be satisfied for it to count as ready. Kept; OpenPacific's readiness is the machine's VM running and its node Ready.",
  conditionType: 'The type of the machine condition to check.',
  polarity: '`Positive` (the default): the condition must be `True`; `Negative`: it must be `False`.',
};

const nodeTimeoutFields: FieldDescriptions = {
  nodeDrainTimeout:
    "How long deleting the machine waits for its node's pods to be drained (a duration: `5m`), counted from `status.deletion.nodeDrainStartTime`; unset waits as long as it takes. The node is cordoned and its pods evicted through the guest's API (PodDisruptionBudgets hold; DaemonSet and mirror pods stay); the annotation `machine.cluster.x-k8s.io/exclude-node-draining` skips the drain.",
  nodeVolumeDetachTimeout: "How long deleting the machine waits for volumes to detach from its node (a duration). Not used by OpenPacific, which does not wait for detaching.",
  nodeDeletionTimeout: "How long to keep trying to delete the machine's Node from the guest once its VM is gone (a duration; `10s` by default; `0` tries for ever), after which the machine goes without it.",
};

/** Cluster API's MachineSpec: a Machine's `spec`, and the `template.spec` of MachineSets and MachineDeployments. */
const machineSpecFields: FieldDescriptions = {
  clusterName: "The Cluster, in the same namespace, the machine belongs to. Required; the machine's bootstrap data comes from that Cluster's endpoint, CA and guest database.",
  bootstrap: "Where the machine's bootstrap data comes from: a Secret named by `dataSecretName` (OpenPacific makes and names it) or a bootstrap config object.",
  'bootstrap.configRef': 'A bootstrap config object (a KubeadmConfig in Cluster API) that would produce the data. Not read: OpenPacific writes each machine\'s data itself.',
  ...describedUnder('bootstrap.configRef', referenceFields),
  'bootstrap.dataSecretName':
    'The Secret (key `value`) holding the cloud-init user data the machine\'s VM boots with. OpenPacific makes a Secret named after the machine once the cluster has its endpoint, CA and kubeconfig, then sets this; one set by hand is booted once that Secret exists (`BootstrapReady` says what it waits for).',
  infrastructureRef:
    "What the machine's VM is made of: its VSphereMachine of the same name (machines a MachineSet or KubeadmControlPlane makes; cloned from their VSphereMachineTemplate), or, written by hand, a VSphereMachineTemplate whose `className`, `imageName` and `storageClass` the VM takes. Required.",
  ...describedUnder('infrastructureRef', referenceFields),
  version: 'The release the machine runs (a TanzuKubernetesRelease name for machines a TKC makes). A control plane replaces machines whose version is not its own.',
  providerID: "The VM's identity, `vsphere://<biosUUID>`, set by OpenPacific once the VM exists; the machine is then `Provisioned`.",
  failureDomain: "The vSphere Zone (a failure domain of the Cluster) the machine's VM is placed in: its VSphereMachine's `failureDomain` and its VM's `topology.kubernetes.io/zone` label. A control plane sets it on each machine it makes; `status.failureDomain` says where the machine landed.",
  ...describedUnder('readinessGates', readinessGateFields),
  ...nodeTimeoutFields,
};

/** A MachineSet's or MachineDeployment's `spec.template`. */
const machineTemplateFields: FieldDescriptions = {
  '': 'The Machine every replica is made from: its metadata and spec.',
  ...describedUnder('metadata', templateMetaFields),
  spec: 'The spec each Machine made from the template gets (as `kubectl explain machine.spec` describes).',
  ...describedUnder('spec', machineSpecFields),
};

const machineNamingFields: FieldDescriptions = {
  '': "How the machines' names are made. Kept; OpenPacific names them `<owner>-<5 random characters>`.",
  template: 'A Go template for the names (`{{ .machineSet.name }}-{{ .random }}`). Not read by OpenPacific.',
};

const deploymentStrategyFields: FieldDescriptions = {
  '': 'How machines are replaced when the template changes.',
  type: "`RollingUpdate` (the default): new machines are added and old ones removed within `maxSurge` and `maxUnavailable`; `OnDelete`: old machines go only when someone deletes them. OpenPacific rolls every deployment out as `RollingUpdate`.",
  rollingUpdate: 'The limits of a rolling update.',
  'rollingUpdate.maxUnavailable': 'How far below `replicas` the ready machines may drop during a rollout: a whole number (a percentage counts as the default). Default 0.',
  'rollingUpdate.maxSurge':
    'How many machines above `replicas` may exist during a rollout: a whole number (a percentage counts as the default). Default 1: one new machine is made, and one old one removed once it is ready.',
  'rollingUpdate.deletePolicy':
    "Which machines go first when a MachineSet shrinks: `Random`, `Newest` or `Oldest`; machines annotated `cluster.x-k8s.io/delete-machine` always go first, then those that are not ready. The MachineSets OpenPacific makes for a deployment use `Random`.",
  remediation: 'Limits on replacing unhealthy machines of the deployment.',
  'remediation.maxInFlight': 'How many unhealthy machines may be replaced at once: a number or a percentage. Not read by OpenPacific.',
};

/** A MachineHealthCheck's checks: its spec, and a Cluster topology's `machineHealthCheck`. */
const healthCheckFields: FieldDescriptions = {
  unhealthyConditions:
    "Conditions of the machine's Node in the guest cluster that make the machine unhealthy once they have had the given status for longer than their `timeout`, read through the guest's API as Cluster API reads them. (Cluster API objects written by hand without a kubeconfig have no guest to ask: there the machine's `Ready` stands for its node's.)",
  'unhealthyConditions.type': 'The Node condition type to watch: `Ready`, or one another reporter sets (node-problem-detector\'s `KernelDeadlock`, say).',
  'unhealthyConditions.status': 'The status that counts as unhealthy: `False` or `Unknown`.',
  'unhealthyConditions.timeout': 'How long the condition must have had that status (a duration: `5m`) before the machine is replaced.',
  maxUnhealthy:
    'The most machines that may be unhealthy at once for any to be replaced: a number or a percentage of the machines checked (default `100%`). With more, none is replaced and `RemediationAllowed` is False: new machines would not fix a wider failure.',
  unhealthyRange: 'A range of unhealthy counts (`[1-3]`) within which machines are replaced, instead of `maxUnhealthy`. Not read by OpenPacific.',
  nodeStartupTimeout: 'How long a machine may go without a node (a duration; default `10m`; `0` turns it off), from its creation or from when it or its cluster\'s infrastructure got ready, before it counts as unhealthy.',
  remediationTemplate: 'A template of an external remediation object to make instead of having the owner replace an unhealthy machine. Not read: its MachineSet or KubeadmControlPlane replaces it.',
  ...describedUnder('remediationTemplate', referenceFields),
};

/** A ClusterClass variable's value. */
const variableFields: FieldDescriptions = {
  name: "The variable's name, as the ClusterClass defines it (`vmClass`).",
  value: "The variable's value: any JSON value its definition's schema accepts.",
  definitionFrom: 'Which of the class\'s definitions of the variable the value is for, when patches define it more than once. Empty: the shared definition.',
};

const taintFields: FieldDescriptions = {
  key: 'The taint\'s key (`dedicated`, `node-role.kubernetes.io/control-plane`).',
  value: "The taint's value; may be empty.",
  effect:
    "`NoSchedule`: pods that do not tolerate the taint are not placed there; `PreferNoSchedule`: the scheduler should avoid placing them (OpenPacific's scheduler does not weigh it); `NoExecute`: they are neither placed nor left running there.",
  timeAdded: 'When a `NoExecute` taint was added (RFC 3339). Set by the system.',
};

const addressFields: FieldDescriptions = {
  type: '`InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS` or `ExternalDNS`.',
  address: 'The address: an IP address or a host name.',
};

const clusterNetworkFields: FieldDescriptions = {
  apiServerPort: 'The port the API server listens on (Cluster API defaults 6443). OpenPacific\'s guest API servers always listen on 6443.',
  services: 'The address ranges of Services.',
  'services.cidrBlocks': 'Service address ranges in CIDR form (`10.96.0.0/12`). Kept but not used: OpenPacific gives each guest a loopback /16 of 127.2.0.0-127.15.255.255 for its Services (annotation `openpacific.io/service-cidr`); its load balancers take the Supervisor\'s addresses.',
  pods: 'The address ranges of pods.',
  'pods.cidrBlocks': 'Pod address ranges in CIDR form (`192.168.0.0/16`). OpenPacific gives each machine\'s pods a /24 of 127.16.0.0-127.63.255.0 instead (annotation `openpacific.io/pod-subnet`).',
  serviceDomain: 'The DNS domain of the guest\'s Services (`cluster.local`).',
};

// --- TanzuKubernetesCluster --------------------------------------------------------------------------------------

const tkrReferenceFields: FieldDescriptions = {
  reference: 'The release, by name.',
  'reference.name':
    "The TanzuKubernetesRelease's name: its version with `+` written `---` (`v1.29.4---vmware.3-fips.1-tkg.1`). The machines boot the release's first `spec.osImages` VM image, which must be available in the namespace.",
  'reference.apiVersion': 'Not needed: the reference is always to a `run.tanzu.vmware.com` release.',
  'reference.kind': 'Not needed: always `TanzuKubernetesRelease`.',
  'reference.namespace': 'Not used: releases are cluster-scoped.',
  'reference.uid': 'Not used: the release is found by name.',
  'reference.resourceVersion': 'Not used: the release is found by name.',
  'reference.fieldPath': 'Not used.',
};

const tkcVolumeFields: FieldDescriptions = {
  '': "Extra disks for each machine, each mounted in the node (`/var/lib/containerd`, say). Kept with the cluster; OpenPacific does not attach them to the VMs yet.",
  name: "The disk's name, unique among the machine's volumes. Required.",
  mountPath: 'Where in the node the disk is mounted. Required.',
  capacity: "The disk's size. Required.",
  'capacity.storage': 'The size as a quantity (`50Gi`).',
  storageClass: "The StorageClass the disk comes from; empty means the machine's `storageClass`.",
};

const tkcStorageClass =
  "The StorageClass of the machines' VM disks. Required; it must exist (else `ReferencesResolved` is False), and once the namespace has a ResourceQuota it must be a class its quotas name.";

/** The fields a v1alpha2/v1alpha3 control plane and node pool share. */
const tkcMachineFields: FieldDescriptions = {
  vmClass:
    "The VirtualMachineClass of the machines' VMs (v1alpha1: `class`). Required; it must exist in the cluster's namespace, else `ReferencesResolved` is False and the cluster does not become Ready.",
  storageClass: tkcStorageClass,
  ...describedUnder('volumes', tkcVolumeFields),
  nodeDrainTimeout: "How long deleting a machine waits for its node's pods to drain (a duration: `5m`). Kept; the pool's machines drain with no limit.",
};

/** v1alpha1's `controlPlane` and `workers`. */
const tkcV1alpha1NodeFields: FieldDescriptions = {
  count: 'How many machines (v1alpha1; `replicas` in later versions).',
  class: "The VirtualMachineClass of the machines' VMs (v1alpha1; `vmClass` in later versions). Required.",
  storageClass: tkcStorageClass,
  ...describedUnder('volumes', tkcVolumeFields),
};

const addonFields: FieldDescriptions = {
  name: "The add-on's name (`antrea`).",
  version: "The add-on's version.",
  conditions: "The add-on's conditions (`Provisioned`).",
  ...describedUnder('conditions', conditionFields),
};

const v1alpha1Addons: Record<string, string> = {
  authsvc: 'The authentication service add-on (v1alpha1; `type: AuthService` in later versions).',
  cni: 'The pod network (CNI) add-on (v1alpha1; `type: CNI` in later versions).',
  cloudprovider: 'The cloud provider add-on (v1alpha1; `type: CPI` in later versions).',
  csi: 'The storage (CSI) add-on (v1alpha1; `type: CSI` in later versions).',
  dns: 'The cluster DNS add-on (v1alpha1; `type: DNS` in later versions).',
  proxy: 'The kube-proxy add-on (v1alpha1; `type: Proxy` in later versions).',
  psp: 'The pod security policy add-on (v1alpha1; `type: PSP` in later versions).',
};

const tanzuKubernetesCluster: FieldDescriptions = {
  '':
    "A Kubernetes cluster for a namespace (vSphere with Tanzu's TKG Service): its control plane, node pools, release and settings. OpenPacific's cluster-api turns it into a Cluster API Cluster, a KubeadmControlPlane and a MachineDeployment per pool, whose machines are VirtualMachines on the hosts running OpenPacific's own programs. Served at v1alpha3 (stored), v1alpha2 and v1alpha1.",
  spec: 'The cluster wanted: its machines (`topology`), its release and its settings.',
  'spec.topology': 'The machines of the cluster: `controlPlane`, and `nodePools` (v1alpha1: `workers`). Required.',
  'spec.topology.controlPlane':
    "The control-plane machines, made by the KubeadmControlPlane `<cluster>-control-plane`. They run the guest's API server (on 6443, behind the load balancer `<cluster>-control-plane-service`) and scheduler; their nodes are tainted `node-role.kubernetes.io/control-plane:NoSchedule`.",
  'spec.topology.controlPlane.replicas':
    'How many control-plane machines (v1alpha1: `count`): an odd number (1, 3, 5...), default 1. An upgrade replaces them one at a time with one extra machine meanwhile.',
  ...describedUnder('spec.topology.controlPlane', tkcMachineFields),
  'spec.topology.controlPlane.tkr':
    "The release the cluster runs (v1alpha2 and later; v1alpha1 names it in `spec.distribution`). Changing it to a newer release rolls every machine; an older one is refused.",
  ...describedUnder('spec.topology.controlPlane.tkr', tkrReferenceFields),
  ...describedUnder('spec.topology.controlPlane', tkcV1alpha1NodeFields),
  'spec.topology.controlPlane.count': 'How many control-plane machines (v1alpha1; `replicas` in later versions): an odd number, default 1.',
  'spec.topology.nodePools':
    'The groups of worker machines (v1alpha2 and later). Each becomes a MachineDeployment `<cluster>-<pool>`, and its VMs are spread over the hosts.',
  'spec.topology.nodePools.name': 'The pool\'s name, unique in the cluster. Required; it names the MachineDeployment `<cluster>-<name>` and, through it, the machines.',
  'spec.topology.nodePools.labels': "Labels for the pool's nodes in the guest. Kept; OpenPacific does not put them on the guest's nodes yet.",
  'spec.topology.nodePools.taints': "Taints for the pool's nodes in the guest. Kept; OpenPacific does not put them on the guest's nodes yet.",
  ...describedUnder('spec.topology.nodePools.taints', taintFields),
  'spec.topology.nodePools.replicas': 'How many worker machines the pool has; default 1, never negative. Changing it scales the pool\'s MachineDeployment.',
  ...describedUnder('spec.topology.nodePools', tkcMachineFields),
  'spec.topology.nodePools.tkr': "The pool's release; a pool without one follows the control plane's.",
  ...describedUnder('spec.topology.nodePools.tkr', tkrReferenceFields),
  'spec.topology.nodePools.failureDomain': 'The vSphere zone for the pool\'s machines (v1alpha3). Kept; OpenPacific\'s hosts form no zones.',
  'spec.topology.workers':
    'The worker machines (v1alpha1). They stand for the node pool named `workers` (else the first pool) of later versions; a change made here goes to that pool.',
  ...describedUnder('spec.topology.workers', tkcV1alpha1NodeFields),
  'spec.topology.workers.count': 'How many worker machines (v1alpha1; a pool\'s `replicas` in later versions).',
  'spec.distribution':
    'The release by version, the v1alpha1 way (still served in later versions). In v1alpha2 and later `controlPlane.tkr` wins; without one, `version` names the release.',
  'spec.distribution.fullVersion':
    'The full version of the release (`v1.29.4+vmware.3-fips.1-tkg.1`). At v1alpha1 it chooses the release whose name is this version with `+` written `---`; read at v1alpha1 it follows the control plane\'s release.',
  'spec.distribution.version': 'A version hint (`v1.29`). OpenPacific takes it as the release\'s name when the control plane names no `tkr`.',
  'spec.settings': 'Settings of the guest cluster: its network and its storage.',
  'spec.settings.network':
    "The guest's network: CNI, address ranges, DNS domain, proxy and trusted CAs. Kept; OpenPacific's guests run its own pod network, each machine's pods taking a /24 of 127.16.0.0-127.63.255.0.",
  'spec.settings.network.cni': 'The CNI plugin to install.',
  'spec.settings.network.cni.name': 'The CNI plugin\'s name (`antrea`, `calico`). Not read by OpenPacific.',
  'spec.settings.network.pods': 'The address ranges of pods.',
  'spec.settings.network.pods.cidrBlocks': 'Pod address ranges in CIDR form (`192.168.0.0/16`). Not read by OpenPacific.',
  'spec.settings.network.services': 'The address ranges of Services.',
  'spec.settings.network.services.cidrBlocks': 'Service address ranges in CIDR form (`10.96.0.0/12`). Not read by OpenPacific: the guest\'s Service range is on its Cluster\'s annotation `openpacific.io/service-cidr`.',
  'spec.settings.network.serviceDomain': 'The DNS domain of the guest\'s Services (`cluster.local`). Not read by OpenPacific.',
  'spec.settings.network.proxy': "HTTP proxies for the nodes' outbound traffic. Not read by OpenPacific.",
  'spec.settings.network.proxy.httpProxy': 'The proxy for plain HTTP requests (`http://proxy.example.com:3128`).',
  'spec.settings.network.proxy.httpsProxy': 'The proxy for HTTPS requests.',
  'spec.settings.network.proxy.noProxy': 'Hosts, domains and CIDRs reached without the proxy.',
  'spec.settings.network.trust': 'Certificates the nodes should trust. Not read by OpenPacific.',
  'spec.settings.network.trust.additionalTrustedCAs': 'CA certificates to trust besides the system ones (a private registry\'s, say).',
  'spec.settings.network.trust.additionalTrustedCAs.name': 'A name for the certificate. Required.',
  'spec.settings.network.trust.additionalTrustedCAs.data': 'The certificate: PEM, base64-encoded. Required.',
  'spec.settings.storage': 'Storage classes the guest may use from its namespace.',
  'spec.settings.storage.classes': "Names of StorageClasses the guest may use. Once the namespace has a ResourceQuota, each must be a class its quotas name.",
  'spec.settings.storage.defaultClass': "The class to be the guest's default. Once the namespace has a ResourceQuota, it must be a class its quotas name.",
  status: "What cluster-api reports: phase, endpoint, release, worker count, each machine's node and VM, and conditions.",
  'status.apiEndpoints':
    "Where the guest's API server answers: the address of the load balancer `<cluster>-control-plane-service`, port 6443. Empty until it has an address (v1alpha1: `clusterApiStatus.apiEndpoints`).",
  'status.apiEndpoints.host': 'The address of the API server\'s load balancer.',
  'status.apiEndpoints.port': 'The port, 6443.',
  'status.version': 'The release the cluster runs: the name the control plane uses.',
  'status.addons':
    "The add-ons of the guest (CNI, CSI, DNS...) and their state: a list in v1alpha2 and later, a map by add-on in v1alpha1. OpenPacific's guests run its own programs and no add-ons, so it stays empty.",
  'status.addons.name': addonFields.name,
  'status.addons.type': 'The kind of add-on: `AuthService`, `CNI`, `CPI`, `CSI`, `DNS`, `Proxy`, `PSP` or `MetricsServer`. Required.',
  'status.addons.version': addonFields.version,
  'status.addons.conditions': addonFields.conditions,
  ...describedUnder('status.addons.conditions', conditionFields),
  ...Object.fromEntries(Object.entries(v1alpha1Addons).flatMap(([key, text]) => Object.entries(describedUnder(`status.addons.${key}`, { '': text, ...addonFields })))),
  'status.phase': '`creating` until the control plane and every pool have their ready machines and the API endpoint exists (and every reference resolves), then `running`.',
  'status.conditions':
    '`ControlPlaneReady`, `NodePoolsReady`, `ReferencesResolved` (False names each VM class, storage class or release image the namespace does not offer) and `Ready` (all of them, with the endpoint).',
  ...describedUnder('status.conditions', conditionFields),
  'status.totalWorkerReplicas': 'How many worker machines exist, over all node pools.',
  'status.nodeStatus': "Each machine's node, by machine name: `ready`, `notready` (its node appeared but is not Ready now) or `pending`.",
  'status.vmStatus': "Each machine's VM, by machine name: `pending`, `created`, `poweredon`, `ready` or `deleting`.",
  'status.clusterApiStatus': 'What Cluster API reports of the cluster (v1alpha1).',
  'status.clusterApiStatus.apiEndpoints': "Where the guest's API server answers (v1alpha1; `status.apiEndpoints` in later versions).",
  'status.clusterApiStatus.apiEndpoints.host': 'The address of the API server\'s load balancer.',
  'status.clusterApiStatus.apiEndpoints.port': 'The port, 6443.',
  'status.clusterApiStatus.errorReason': 'A word for a failure Cluster API cannot recover from. Not set by OpenPacific.',
  'status.clusterApiStatus.errorMessage': 'The details of such a failure. Not set by OpenPacific.',
  'status.clusterApiStatus.phase': "The Cluster's phase. Not set by OpenPacific: `kubectl get cluster` shows it.",
  'status.upgrade': 'The progress of an upgrade (v1alpha1). Not set by OpenPacific: the TKC\'s conditions show a rollout.',
  'status.nodeRemediationCount': 'How many nodes have been replaced for being unhealthy (v1alpha1). Not set by OpenPacific.',
};

// --- TanzuKubernetesRelease --------------------------------------------------------------------------------------

const imageFields: FieldDescriptions = {
  imageRepository: 'The registry path the image is pulled from; empty means `kubernetes.imageRepository`.',
  imageTag: "The image's tag.",
};

const tanzuKubernetesRelease: FieldDescriptions = {
  '':
    "A release guest clusters can run: a Kubernetes version, its component images and the VM image its nodes boot. Cluster-scoped and named after its version with `+` written `---`; a TanzuKubernetesCluster names it in `tkr.reference.name`. Served at v1alpha3 (stored) and v1alpha1.",
  spec: 'What the release is made of.',
  'spec.version': 'The release\'s full version (`v1.29.4+vmware.3-fips.1-tkg.1`). Required.',
  'spec.kubernetes': 'The Kubernetes of the release: its version and component images (v1alpha3). OpenPacific\'s guests run its own programs, so the images are not pulled. Required.',
  'spec.kubernetes.version': 'The Kubernetes version (`v1.29.4+vmware.3`; v1alpha1: `kubernetesVersion`). Required.',
  'spec.kubernetes.imageRepository': 'The registry path component images come from (v1alpha1: `repository`).',
  'spec.kubernetes.etcd': 'The etcd image.',
  ...describedUnder('spec.kubernetes.etcd', imageFields),
  'spec.kubernetes.pause': 'The pause (pod sandbox) image.',
  ...describedUnder('spec.kubernetes.pause', imageFields),
  'spec.kubernetes.coredns': 'The CoreDNS image.',
  ...describedUnder('spec.kubernetes.coredns', imageFields),
  'spec.kubernetes.kube-vip': 'The kube-vip image (the control plane\'s virtual IP).',
  ...describedUnder('spec.kubernetes.kube-vip', imageFields),
  'spec.osImages':
    "The VM images the release's nodes boot, by name (v1alpha3; v1alpha1: `nodeImageRef`). OpenPacific boots the first: a VirtualMachineImage or ClusterVirtualMachineImage of that name must be available in the cluster's namespace.",
  'spec.osImages.name': 'The VM image\'s name.',
  'spec.bootstrapPackages': 'Packages installed while a cluster bootstraps (CNI, CSI...), by name (v1alpha3). Kept; OpenPacific installs none.',
  'spec.bootstrapPackages.name': "The package's name.",
  'spec.kubernetesVersion': 'The Kubernetes version (v1alpha1; `kubernetes.version` in v1alpha3).',
  'spec.repository': 'The registry path component images come from (v1alpha1; `kubernetes.imageRepository` in v1alpha3).',
  'spec.images': 'The component images (v1alpha1). `etcd`, `pause`, `coredns` and `kube-vip` map to v1alpha3\'s `kubernetes` fields; others are not kept.',
  'spec.images.repository': 'The registry path of the image; empty means `repository`.',
  'spec.images.name': 'The component\'s name (`etcd`, `coredns`). Required.',
  'spec.images.tag': "The image's tag.",
  'spec.nodeImageRef': 'The VirtualMachineImage nodes boot (v1alpha1; v1alpha3\'s first `osImages` entry).',
  ...describedUnder('spec.nodeImageRef', referenceFields),
  'spec.nodeImageRef.apiVersion': '`vmoperator.vmware.com/v1alpha1` when read at v1alpha1.',
  'spec.nodeImageRef.kind': '`VirtualMachineImage`.',
  'spec.nodeImageRef.name': "The VM image's name: the one the nodes boot.",
  status: 'The release\'s state.',
  'status.conditions': 'Conditions such as `Ready` and `Compatible` (the READY and COMPATIBLE columns). Written by whoever manages releases; OpenPacific\'s controllers write none.',
  ...describedUnder('status.conditions', conditionFields),
};

// --- Cluster -----------------------------------------------------------------------------------------------------

const topologyMachineFields: FieldDescriptions = {
  metadata: 'Labels and annotations for the objects of this part of the topology.',
  'metadata.labels': 'Labels for those objects.',
  'metadata.annotations': 'Annotations for those objects.',
  replicas: 'How many machines.',
  machineHealthCheck: 'A MachineHealthCheck for these machines.',
  'machineHealthCheck.enable': 'Whether to make the health check; by default it is made when the class defines one.',
  ...describedUnder('machineHealthCheck', healthCheckFields),
  ...nodeTimeoutFields,
  ...describedUnder('readinessGates', readinessGateFields),
  variables: 'Variable values for this part only.',
  'variables.overrides': 'Values that replace the cluster-wide ones of the same name here.',
  ...describedUnder('variables.overrides', variableFields),
};

const cluster: FieldDescriptions = {
  '':
    "A Cluster API cluster: the control plane and infrastructure objects of a guest cluster. A TanzuKubernetesCluster makes one of its name; one may also be written by hand. OpenPacific gives each a guest database and NATS prefix, the Secrets `<cluster>-ca`, `<cluster>-encryption` and `<cluster>-kubeconfig`, and holds it with a finalizer until its machines and VMs are gone.",
  spec: 'The cluster wanted: its network, endpoint, control plane and infrastructure.',
  'spec.paused': 'When true, controllers should leave the cluster and its objects alone. Kept; OpenPacific\'s cluster-api does not honour it yet.',
  'spec.clusterNetwork': "The guest's network: API server port, address ranges, DNS domain. Kept; OpenPacific does not read it.",
  ...describedUnder('spec.clusterNetwork', clusterNetworkFields),
  'spec.controlPlaneEndpoint':
    "Where the guest's API server is reached. OpenPacific sets it to the address of the load balancer `<cluster>-control-plane-service`, port 6443; the kubeconfig Secret and the machines' bootstrap data wait for it.",
  'spec.controlPlaneEndpoint.host': "The endpoint's address.",
  'spec.controlPlaneEndpoint.port': "The endpoint's port.",
  'spec.controlPlaneRef':
    'The control-plane object: a KubeadmControlPlane (`<cluster>-control-plane` for a TKC\'s cluster). Its readiness is the Cluster\'s `controlPlaneReady`, and workers wait for it to be initialized.',
  ...describedUnder('spec.controlPlaneRef', referenceFields),
  'spec.infrastructureRef': "The infrastructure object: a VSphereCluster of the cluster's name for a TKC's cluster. Kept as a record; OpenPacific counts the infrastructure ready once the control-plane load balancer has an address.",
  ...describedUnder('spec.infrastructureRef', referenceFields),
  'spec.topology':
    "A cluster built from a ClusterClass: class, version, control plane, workers and variables. Of the class `tanzukubernetescluster` (which every namespace offers, as on vSphere 8), cluster-api builds what a TanzuKubernetesCluster gets, owned by the Cluster: a KubeadmControlPlane `<cluster>-control-plane`, a MachineDeployment `<cluster>-<name>` per `workers.machineDeployments[]`, a VSphereCluster, a resource policy and the control-plane load balancer; the variables `vmClass` and `storageClass` (and per part `variables.overrides`) pick the VM and storage class, `version` the release. A TKC's own Cluster carries the same class and variables.",
  'spec.topology.class': 'The ClusterClass\'s name. Required.',
  'spec.topology.classNamespace': "The ClusterClass's namespace; empty means the cluster's.",
  'spec.topology.version': 'The release: a TanzuKubernetesRelease name (`v1.29.4---vmware.3-fips.1-tkg.1`) or its version (`v1.29.4+vmware.3-fips.1-tkg.1`), whose first OS image the nodes boot; a name no release has is taken as the VM image\'s own name. A change rolls the machines as a TKC upgrade does. Required.',
  'spec.topology.rolloutAfter': 'A time after which every machine should be replaced, even without a change (RFC 3339).',
  'spec.topology.controlPlane': 'The control plane of the topology.',
  ...describedUnder('spec.topology.controlPlane', topologyMachineFields),
  'spec.topology.workers': 'The worker machines of the topology.',
  'spec.topology.workers.machineDeployments': 'The groups of worker machines, each a MachineDeployment.',
  ...describedUnder('spec.topology.workers.machineDeployments', topologyMachineFields),
  'spec.topology.workers.machineDeployments.class': "The class's worker class the deployment is made from. Required.",
  'spec.topology.workers.machineDeployments.name': 'The deployment\'s name, unique in the topology. Required.',
  'spec.topology.workers.machineDeployments.failureDomain': 'The zone for the deployment\'s machines.',
  'spec.topology.workers.machineDeployments.minReadySeconds': 'How long a new machine must have been ready to count as available.',
  ...describedUnder('spec.topology.workers.machineDeployments.strategy', deploymentStrategyFields),
  'spec.topology.workers.machinePools': "Groups of workers managed as one pool. Supervisor clusters do not use them; kept as written.",
  'spec.topology.variables': 'Values of the ClusterClass\'s variables for the whole cluster (`vmClass`, `storageClass` on a TKC\'s cluster).',
  ...describedUnder('spec.topology.variables', variableFields),
  'spec.availabilityGates': 'Extra conditions of the Cluster that must be satisfied for it to count as available. Kept; not read by OpenPacific.',
  'spec.availabilityGates.conditionType': 'The type of the Cluster condition to check.',
  'spec.availabilityGates.polarity': readinessGateFields.polarity,
  status: 'What cluster-api reports of the cluster.',
  'status.failureDomains': 'The zones machines may be placed in, by name. OpenPacific\'s hosts form none, so it stays empty.',
  'status.failureReason': 'A word for a failure the controllers cannot recover from. Not set by OpenPacific.',
  'status.failureMessage': 'The details of such a failure. Not set by OpenPacific.',
  'status.phase': '`Provisioning` until the control-plane load balancer has an address, then `Provisioned` (Cluster API has no `Running`); `Pending`, `Deleting`, `Failed` and `Unknown` are its other values.',
  'status.infrastructureReady': 'Whether the infrastructure is ready: the control-plane load balancer has an address.',
  'status.controlPlaneReady': "Whether the control plane is ready: its KubeadmControlPlane has a ready machine.",
  'status.conditions':
    '`ControlPlaneReady`, `InfrastructureReady`, `Ready` (both, and nothing the topology names missing) and, for a topology, `TopologyReconciled` (False `TopologyReconcileFailed` when its ClusterClass does not exist) and `ReferencesResolved` (False `NotAvailable` naming a VM class, storage class or release image the namespace does not offer).',
  ...describedUnder('status.conditions', conditionFields),
  'status.observedGeneration': 'The `metadata.generation` the controller last acted on.',
  'status.v1beta2': 'The status in Cluster API v1beta2\'s shape, kept as written. Not set by OpenPacific.',
};

// --- ClusterClass --------------------------------------------------------------------------------------------------

const localTemplateFields: FieldDescriptions = {
  ref: 'The template object, in the class\'s namespace.',
  ...describedUnder('ref', referenceFields),
};

const clusterClass: FieldDescriptions = {
  '':
    "A blueprint of clusters that a Cluster's `spec.topology.class` names. Every namespace (but `kube-*` and `vmware-system-*`) offers `tanzukubernetescluster`, as vSphere 8 does: worker class `node-pool`, required variables `vmClass` and `storageClass`; cluster-api makes it again when it is deleted. Other classes may be written and are checked against, but only `tanzukubernetescluster` is built.",
  spec: 'What clusters of the class are made of.',
  'spec.availabilityGates': 'Extra conditions every Cluster of the class must satisfy to count as available. Kept; not read by OpenPacific.',
  'spec.availabilityGates.conditionType': 'The type of the Cluster condition to check.',
  'spec.availabilityGates.polarity': readinessGateFields.polarity,
  'spec.infrastructure': 'The infrastructure cluster template (a VSphereClusterTemplate). A record: OpenPacific makes the VSphereCluster itself.',
  ...describedUnder('spec.infrastructure', localTemplateFields),
  'spec.infrastructureNamingStrategy': 'How infrastructure objects are named. Not read by OpenPacific.',
  'spec.infrastructureNamingStrategy.template': 'A Go template for the names.',
  'spec.controlPlane': 'The control plane of the class: its template, its machines\' infrastructure template and health check.',
  'spec.controlPlane.metadata': 'Labels and annotations for the control plane.',
  ...describedUnder('spec.controlPlane.metadata', templateMetaFields),
  ...describedUnder('spec.controlPlane', localTemplateFields),
  'spec.controlPlane.machineInfrastructure': 'The template of the control-plane machines\' infrastructure (a VSphereMachineTemplate).',
  ...describedUnder('spec.controlPlane.machineInfrastructure', localTemplateFields),
  'spec.controlPlane.machineHealthCheck': 'The health check for the control-plane machines of each cluster.',
  ...describedUnder('spec.controlPlane.machineHealthCheck', healthCheckFields),
  'spec.controlPlane.namingStrategy': 'How the control plane is named. Not read by OpenPacific.',
  'spec.controlPlane.namingStrategy.template': 'A Go template for the name.',
  ...describedUnder('spec.controlPlane', nodeTimeoutFields),
  ...describedUnder('spec.controlPlane.readinessGates', readinessGateFields),
  'spec.workers': 'The worker classes a topology may name.',
  'spec.workers.machineDeployments': 'The worker classes of MachineDeployments.',
  'spec.workers.machineDeployments.class': 'The worker class\'s name, unique in the class (`node-pool`).',
  'spec.workers.machineDeployments.template': 'What the machines of the worker class are made of.',
  'spec.workers.machineDeployments.template.metadata': 'Labels and annotations for the MachineDeployment.',
  ...describedUnder('spec.workers.machineDeployments.template.metadata', templateMetaFields),
  'spec.workers.machineDeployments.template.bootstrap': 'The bootstrap config template (a KubeadmConfigTemplate). A record: OpenPacific writes the bootstrap data itself.',
  ...describedUnder('spec.workers.machineDeployments.template.bootstrap', localTemplateFields),
  'spec.workers.machineDeployments.template.infrastructure': 'The machines\' infrastructure template (a VSphereMachineTemplate).',
  ...describedUnder('spec.workers.machineDeployments.template.infrastructure', localTemplateFields),
  'spec.workers.machineDeployments.machineHealthCheck': 'The health check for the machines of the worker class.',
  ...describedUnder('spec.workers.machineDeployments.machineHealthCheck', healthCheckFields),
  'spec.workers.machineDeployments.failureDomain': 'The zone for the machines.',
  'spec.workers.machineDeployments.namingStrategy': 'How the MachineDeployments are named. Not read by OpenPacific.',
  'spec.workers.machineDeployments.namingStrategy.template': 'A Go template for the names.',
  ...describedUnder('spec.workers.machineDeployments', nodeTimeoutFields),
  'spec.workers.machineDeployments.minReadySeconds': 'How long a new machine must have been ready to count as available.',
  ...describedUnder('spec.workers.machineDeployments.readinessGates', readinessGateFields),
  ...describedUnder('spec.workers.machineDeployments.strategy', deploymentStrategyFields),
  'spec.workers.machinePools': 'Worker classes of MachinePools. Supervisor clusters do not use them; kept as written.',
  'spec.variables': 'The variables a Cluster of the class sets in `spec.topology.variables`; a required one must be set.',
  'spec.variables.name': 'The variable\'s name (`vmClass`).',
  'spec.variables.required': 'Whether every Cluster of the class must set it.',
  'spec.variables.metadata': 'Labels and annotations of the variable.',
  'spec.variables.metadata.labels': 'Labels of the variable.',
  'spec.variables.metadata.annotations': 'Annotations of the variable.',
  'spec.variables.schema': 'What values the variable takes.',
  'spec.variables.schema.openAPIV3Schema': 'An OpenAPI v3 schema of the value (`type: string`).',
  'spec.patches': 'Patches applied to the templates for each cluster. Kept; not applied by OpenPacific.',
  status: 'What cluster-api reports of the class.',
  'status.variables': 'The variables as clusters of the class are checked against: each with its definitions.',
  'status.variables.name': 'The variable\'s name.',
  'status.variables.definitionsConflict': 'Whether its definitions disagree. False: every definition here is the class\'s own.',
  'status.variables.definitions': 'Where the variable is defined: `inline`, the class\'s own `spec.variables`.',
  'status.variables.definitions.from': 'Where the definition comes from: `inline`.',
  'status.variables.definitions.required': 'Whether the variable must be set.',
  'status.variables.definitions.metadata': 'Labels and annotations of the variable.',
  'status.variables.definitions.metadata.labels': 'Labels of the variable.',
  'status.variables.definitions.metadata.annotations': 'Annotations of the variable.',
  'status.variables.definitions.schema': 'What values the variable takes.',
  'status.variables.definitions.schema.openAPIV3Schema': 'An OpenAPI v3 schema of the value.',
  'status.conditions': '`VariablesReconciled` and `RefVersionsUpToDate`, True once cluster-api has read the class.',
  ...describedUnder('status.conditions', conditionFields),
  'status.observedGeneration': 'The `metadata.generation` cluster-api last read.',
  'status.v1beta2': "The status in Cluster API v1beta2's shape, kept as written. Not set by OpenPacific.",
};

// --- MachineDeployment, MachineSet, Machine ----------------------------------------------------------------------

const replicaSetStatusCommon: FieldDescriptions = {
  'status.readyReplicas': 'Machines that are `Running` with their node Ready.',
  'status.availableReplicas': 'Machines available: with OpenPacific, the ready ones.',
  'status.observedGeneration': 'The `metadata.generation` the controller last acted on. Not set by OpenPacific.',
  'status.v1beta2': "The status in Cluster API v1beta2's shape, kept as written. Not set by OpenPacific.",
  ...describedUnder('status.conditions', conditionFields),
};

const machineDeployment: FieldDescriptions = {
  '':
    'A group of identical worker machines kept at a count, rolled out to a new template as a Deployment rolls pods. A TKC makes one per node pool (`<cluster>-<pool>`). It makes a MachineSet per template (`<name>-<template hash>`); `kubectl scale machinedeployment` works on it.',
  spec: 'The machines wanted and how to roll them.',
  'spec.clusterName': 'The Cluster the machines belong to. Required.',
  'spec.replicas': "How many machines; default 1. One a TKC owns follows the pool's `replicas`.",
  'spec.rolloutAfter': 'A time after which every machine should be replaced, even without a change (RFC 3339). Not acted on by OpenPacific.',
  'spec.selector':
    "Which Machines belong to the deployment, by label. Required; a TKC's selects `cluster.x-k8s.io/deployment-name: <name>`, while OpenPacific finds the deployment's MachineSets by owner.",
  ...describedUnder('spec.selector', labelSelectorFields),
  ...describedUnder('spec.template', machineTemplateFields),
  'spec.template': "The Machine each replica is made from. Changing it starts a rollout: a new MachineSet grows while the old ones shrink, within the strategy's limits. Required.",
  ...describedUnder('spec.strategy', deploymentStrategyFields),
  ...describedUnder('spec.machineNamingStrategy', machineNamingFields),
  'spec.minReadySeconds': 'How long a new machine must have been ready to count as available (default 0). Not read by OpenPacific.',
  'spec.revisionHistoryLimit': "How many old, empty MachineSets to keep for rollbacks. Not read: OpenPacific deletes an old set once it has no machines.",
  'spec.paused': 'When true, template changes are not rolled out. Not read by OpenPacific.',
  'spec.progressDeadlineSeconds': 'How long a rollout may go without progress before it is reported stalled. Not read by OpenPacific.',
  status: 'The machines as they are.',
  'status.selector': 'The label selector of the machines, as text (`cluster.x-k8s.io/deployment-name=<name>`), for `/scale`.',
  'status.replicas': 'Machines that exist over all its MachineSets (`/scale` reads it).',
  'status.updatedReplicas': 'Ready machines of the current template.',
  'status.unavailableReplicas': 'How many machines short of `replicas` the ready ones are.',
  'status.phase': '`ScalingUp` until enough machines are ready, then `Running` (also during a rollout).',
  'status.conditions': 'The deployment\'s conditions. OpenPacific reports its progress in the counts and `phase` and writes none.',
  ...replicaSetStatusCommon,
};

const machineSet: FieldDescriptions = {
  '':
    'Keeps a number of identical Machines from a template, as a ReplicaSet keeps pods. MachineDeployments make them (`<deployment>-<template hash>`) and change their count during a rollout; `kubectl scale machineset` works on one written by hand.',
  spec: 'The machines wanted.',
  'spec.clusterName': 'The Cluster the machines belong to. Required.',
  'spec.replicas': 'How many machines; default 1. Missing ones are made, surplus ones deleted by `deletePolicy`.',
  'spec.minReadySeconds': 'How long a new machine must have been ready to count as available. Not read by OpenPacific.',
  'spec.deletePolicy': 'Which machines go first when the set shrinks: `Random` (the default), `Newest` or `Oldest`; machines that are not ready always go first.',
  'spec.selector': "Which Machines belong to the set, by label. Required; the sets OpenPacific makes select `cluster.x-k8s.io/set-name: <set>`, and it finds a set's machines by owner.",
  ...describedUnder('spec.selector', labelSelectorFields),
  ...describedUnder('spec.template', machineTemplateFields),
  ...describedUnder('spec.machineNamingStrategy', machineNamingFields),
  status: 'The machines as they are.',
  'status.selector': 'The label selector of the machines, as text (`cluster.x-k8s.io/set-name=<set>`), for `/scale`.',
  'status.replicas': 'Machines that exist (`/scale` reads it).',
  'status.fullyLabeledReplicas': 'Machines carrying every label of the template: with OpenPacific, all of them.',
  'status.failureReason': 'A word for a failure the controllers cannot recover from. Not set by OpenPacific.',
  'status.failureMessage': 'The details of such a failure. Not set by OpenPacific.',
  'status.conditions': "The set's conditions. OpenPacific reports the counts and writes none.",
  ...replicaSetStatusCommon,
};

const machine: FieldDescriptions = {
  '':
    'One node of a guest cluster. OpenPacific makes its bootstrap data, a VSphereMachine and a VirtualMachine of the same name, and takes it through `Pending`, `Provisioning`, `Provisioned` and `Running`. Control planes and MachineSets make them (`<owner>-<5 characters>`); deleting one deletes its VM.',
  spec: 'The machine wanted.',
  ...describedUnder('spec', machineSpecFields),
  status: 'The machine as it is, following its VM and its node in the guest.',
  'status.nodeRef': 'The node of the machine in the guest cluster, named after the machine, once it has appeared there. A machine keeps it after that.',
  'status.nodeRef.apiVersion': '`v1`.',
  'status.nodeRef.kind': '`Node`.',
  'status.nodeRef.name': "The node's name: the machine's.",
  'status.nodeRef.namespace': 'Empty: nodes are cluster-scoped.',
  'status.nodeRef.uid': "The node's uid in the guest. Not set by OpenPacific.",
  'status.nodeRef.resourceVersion': 'Not set.',
  'status.nodeRef.fieldPath': 'Not set.',
  'status.nodeInfo': "The node's system information (kubelet and OS versions). Not set by OpenPacific; the guest's node has it.",
  'status.lastUpdated': 'When `phase` last changed (RFC 3339).',
  'status.failureReason': 'A word for a failure the controllers cannot recover from. Not set by OpenPacific.',
  'status.failureMessage': 'The details of such a failure. Not set by OpenPacific.',
  'status.addresses': "The machine's addresses: `InternalIP`, its VM's primary IPv4 address, once the VM has one.",
  ...describedUnder('status.addresses', addressFields),
  'status.phase':
    '`Pending` (no VM yet), `Provisioning` (VM created), `Provisioned` (the VM has its `providerID`), `Running` (its node appeared in the guest), `Deleting` (its node drains, then its VM and node go); Cluster API also has `Deleted`, `Failed` and `Unknown`.',
  'status.certificatesExpiryDate': "When the machine's control-plane certificates expire. Not set by OpenPacific.",
  'status.bootstrapReady': 'Whether the bootstrap data Secret exists and `spec.bootstrap.dataSecretName` names it.',
  'status.infrastructureReady': 'Whether the VM exists and gave the machine its `providerID`.',
  'status.observedGeneration': 'The `metadata.generation` the controller last acted on. Not set by OpenPacific.',
  'status.conditions':
    '`BootstrapReady` (False says what the data waits for), `InfrastructureReady`, `Ready` (the VM runs and answers, and its node is Ready now), while it is deleted `DrainingSucceeded` (False `Draining` or `DrainingFailed`, then True) and, once a MachineHealthCheck judged it, `HealthCheckSucceeded` (False: `NodeNotFound`, `NodeStartupTimeout`, `UnhealthyNode` or `HasRemediateMachineAnnotation`) and `OwnerRemediated` (False, `WaitingForRemediation`: its owner is to replace it).',
  ...describedUnder('status.conditions', conditionFields),
  'status.deletion': 'Times of the steps of deleting the machine: when draining its node began (OpenPacific does not wait for volumes to detach).',
  'status.deletion.nodeDrainStartTime': 'When draining the node began (RFC 3339).',
  'status.deletion.waitForNodeVolumeDetachStartTime': 'When waiting for volumes to detach began (RFC 3339).',
  'status.failureDomain':
    "The failure domain (vSphere Zone) the machine landed in: the zone its VM was placed in, which is `spec.failureDomain` when set, or the one chosen for it otherwise. Unset until the VM is placed, and in a namespace without Zones (a Cluster API v1beta2 field).",
  'status.v1beta2': "The status in Cluster API v1beta2's shape, kept as written. Not set by OpenPacific.",
};

const machineHealthCheck: FieldDescriptions = {
  '':
    "Replaces the unhealthy machines of a cluster: a machine it selects whose Node in the guest is gone, that has no node within `nodeStartupTimeout`, or whose Node has had one of `unhealthyConditions` for its timeout gets `HealthCheckSucceeded` False and `OwnerRemediated` False, and its owner deletes it and makes a new one, unless more than `maxUnhealthy` are not healthy at once. While the guest's API does not answer, nothing is judged.",
  spec: 'Which machines to check and what counts as unhealthy.',
  'spec.clusterName': 'The Cluster whose machines are checked. Required.',
  'spec.selector': "Which of the cluster's Machines to check, by label (`matchLabels` and `matchExpressions`). Required.",
  ...describedUnder('spec.selector', labelSelectorFields),
  'spec.selector.matchExpressions': 'Label rules a machine must also pass, every one of them (`In`, `NotIn`, `Exists`, `DoesNotExist`).',
  ...describedUnder('spec', healthCheckFields),
  status: 'What the last check found.',
  'status.expectedMachines': 'How many machines the check selects.',
  'status.currentHealthy': 'How many of them are healthy: their node is there and no unhealthy condition holds on it.',
  'status.remediationsAllowed': 'How many more machines may be unhealthy before replacing stops (`maxUnhealthy` less those not healthy now).',
  'status.observedGeneration': 'The `metadata.generation` the controller last acted on. Not set by OpenPacific.',
  'status.targets': 'The names of the machines checked.',
  'status.conditions': '`RemediationAllowed`: False (`TooManyUnhealthy`) while more machines are not healthy (machines still waiting for their node included) than `maxUnhealthy` allows.',
  ...describedUnder('status.conditions', conditionFields),
  'status.v1beta2': "The status in Cluster API v1beta2's shape, kept as written. Not set by OpenPacific.",
};

// --- KubeadmControlPlane -----------------------------------------------------------------------------------------

const kubeadmControlPlane: FieldDescriptions = {
  '':
    "The control-plane machines of a cluster, kept at their count and upgraded one machine at a time with one extra meanwhile (3, then 4, then 3 again). A TKC makes `<cluster>-control-plane`; its cluster is the one its `cluster.x-k8s.io/cluster-name` label names. The machines run the guest's API server and scheduler; `kubectl scale kubeadmcontrolplane` works on one written by hand.",
  spec: 'The control plane wanted.',
  'spec.replicas': 'How many control-plane machines; default 1, and an odd number for a TKC. Scaling down removes a machine annotated `cluster.x-k8s.io/delete-machine` first; otherwise one of the failure domain with the most machines, not ready ones first, then the oldest.',
  'spec.version': 'The release the machines run. Required; machines of another version are replaced, one at a time.',
  'spec.machineTemplate': "What each control-plane machine is made of. A change to its `infrastructureRef` replaces the machines as a new version does. Required.",
  ...describedUnder('spec.machineTemplate.metadata', templateMetaFields),
  'spec.machineTemplate.infrastructureRef': machineSpecFields.infrastructureRef,
  ...describedUnder('spec.machineTemplate.infrastructureRef', referenceFields),
  ...describedUnder('spec.machineTemplate.readinessGates', readinessGateFields),
  ...describedUnder('spec.machineTemplate', nodeTimeoutFields),
  'spec.kubeadmConfigSpec': "The kubeadm configuration of the control-plane nodes (init, join, files, users...). Required, and kept as written (`{}` will do); OpenPacific's guests are not set up by kubeadm.",
  'spec.rolloutBefore': 'Conditions that start a rollout before anything changes.',
  'spec.rolloutBefore.certificatesExpiryDays': 'Replace machines whose certificates expire within this many days. Not read by OpenPacific.',
  'spec.rolloutAfter': 'A time after which every machine should be replaced, even without a change (RFC 3339). Not read by OpenPacific.',
  'spec.rolloutStrategy': 'How machines are replaced: only `RollingUpdate`.',
  'spec.rolloutStrategy.type': '`RollingUpdate`, the only value.',
  'spec.rolloutStrategy.rollingUpdate': 'The limits of a rolling update.',
  'spec.rolloutStrategy.rollingUpdate.maxSurge': 'How many machines above `replicas` may exist during a rollout: 0 or 1. OpenPacific always surges by one.',
  'spec.remediationStrategy': 'How unhealthy control-plane machines are replaced. Not read by OpenPacific.',
  'spec.remediationStrategy.maxRetry': 'How many times in a row to replace a machine that keeps failing.',
  'spec.remediationStrategy.retryPeriod': 'How long to wait before replacing a replacement (a duration).',
  'spec.remediationStrategy.minHealthyPeriod': 'How long a replacement must stay healthy before a later failure counts as new (a duration; default `1h`).',
  ...describedUnder('spec.machineNamingStrategy', machineNamingFields),
  status: 'The control plane as it is.',
  'status.selector': 'The label selector of its machines, as text (`cluster.x-k8s.io/control-plane-name=<name>`), for `/scale`.',
  'status.replicas': 'Control-plane machines that exist (`/scale` reads it).',
  'status.version': 'The version the control plane runs.',
  'status.updatedReplicas': 'Machines at the wanted version and template, as Cluster API counts them; OpenPacific counts every machine.',
  'status.readyReplicas': 'Machines that are `Running` with their node Ready.',
  'status.unavailableReplicas': 'Machines that are not ready.',
  'status.initialized': 'Whether the control plane has been up once (a machine was ready); workers boot only after. It stays true.',
  'status.ready': "Whether the guest's API can be served now: some machine is ready (the API SERVER AVAILABLE column).",
  'status.failureReason': 'A word for a failure the controllers cannot recover from. Not set by OpenPacific.',
  'status.failureMessage': 'The details of such a failure. Not set by OpenPacific.',
  'status.observedGeneration': 'The `metadata.generation` the controller last acted on. Not set by OpenPacific.',
  'status.conditions': "The control plane's conditions. OpenPacific reports the counts, `initialized` and `ready`, and writes none.",
  ...describedUnder('status.conditions', conditionFields),
  'status.lastRemediation': 'The last unhealthy machine replaced. Not set by OpenPacific.',
  'status.lastRemediation.machine': "The replaced machine's name.",
  'status.lastRemediation.timestamp': 'When it was replaced (RFC 3339).',
  'status.lastRemediation.retryCount': 'How many times in a row a machine has been replaced.',
  'status.v1beta2': "The status in Cluster API v1beta2's shape, kept as written. Not set by OpenPacific.",
};

// --- vSphere infrastructure (CAPV's vmware flavour) ----------------------------------------------------------------

const vsphereMachineSpecFields: FieldDescriptions = {
  providerID: "The VM's identity, `vsphere://<biosUUID>`. Not set here by OpenPacific: the Machine's `spec.providerID` has it.",
  failureDomain: 'The zone for the VM. Kept; OpenPacific\'s hosts form no zones.',
  imageName: 'The VirtualMachineImage or ClusterVirtualMachineImage the VM boots (for a TKC\'s machine, its release\'s first `osImages` entry).',
  className: 'The VirtualMachineClass of the VM, in the same namespace.',
  storageClass: "The StorageClass of the VM's disks.",
  volumes: 'Extra disks for the VM. Kept; OpenPacific does not attach them yet.',
  'volumes.name': "The disk's name. Required.",
  'volumes.capacity': 'The disk\'s size by resource (`storage: 50Gi`). Required.',
  'volumes.storageClass': "The disk's StorageClass; empty means the VM's.",
  powerOffMode: 'How the VM is powered off: `hard`, `soft` (a guest shutdown) or `trySoft` (soft, then hard). OpenPacific makes the VSphereMachine with `trySoft` and its VMs with `TrySoft`.',
  minHardwareVersion: 'The lowest VM hardware version the VM may have (`vmx-17`). Not read by OpenPacific.',
  namingStrategy: "How the VM's name is made. Kept; OpenPacific names the VM after the machine.",
  'namingStrategy.template': 'A Go template for the name. Not read by OpenPacific.',
};

const vsphereCluster: FieldDescriptions = {
  '':
    "The vSphere side of a Cluster in a Supervisor namespace. A TKC makes one of its name, kept as a record: the control plane's load balancer is the VirtualMachineService `<cluster>-control-plane-service` and the VMs' placement policy the VirtualMachineSetResourcePolicy of the cluster's name.",
  spec: 'The vSphere cluster wanted.',
  'spec.controlPlaneEndpoint': "The API server's endpoint. Not set by OpenPacific: the Cluster's `spec.controlPlaneEndpoint` has it.",
  'spec.controlPlaneEndpoint.host': "The endpoint's address. Required.",
  'spec.controlPlaneEndpoint.port': "The endpoint's port. Required.",
  status: 'The vSphere cluster as it is. Not filled by OpenPacific: the Cluster\'s status reports it.',
  'status.ready': 'Whether the infrastructure is ready.',
  'status.resourcePolicyName': "The VirtualMachineSetResourcePolicy that groups the cluster's VMs (OpenPacific names it after the cluster).",
  'status.conditions': "The vSphere cluster's conditions.",
  ...describedUnder('status.conditions', conditionFields),
  'status.failureDomains': 'The zones machines may be placed in, by name.',
};

const vsphereMachine: FieldDescriptions = {
  '':
    "The VM side of a Machine, of the same name. OpenPacific makes one per Machine, cloned from the VSphereMachineTemplate of its MachineSet or control plane (annotated `cluster.x-k8s.io/cloned-from-name`), then the VirtualMachine it describes.",
  spec: 'The VM wanted.',
  ...describedUnder('spec', vsphereMachineSpecFields),
  status: "The VM as it is. Not filled by OpenPacific: the VirtualMachine of the same name and the Machine's status report it.",
  'status.ready': 'Whether the VM is ready.',
  'status.addresses': "The VM's addresses.",
  ...describedUnder('status.addresses', addressFields),
  'status.vmID': "The VM's BIOS UUID.",
  'status.vmIp': "The VM's IP address.",
  'status.failureReason': 'A word for a failure the controllers cannot recover from.',
  'status.failureMessage': 'The details of such a failure.',
  'status.vmstatus': "The VM's state (`pending`, `ready`...).",
  'status.conditions': "The VSphereMachine's conditions.",
  ...describedUnder('status.conditions', conditionFields),
};

const vsphereMachineTemplate: FieldDescriptions = {
  '':
    "A VM shape for machines written by hand: a Machine, or a control plane's or MachineSet's template, whose `infrastructureRef` names it gets a VSphereMachine and a VM with the template's `className`, `imageName` and `storageClass`.",
  spec: 'The template. Required.',
  'spec.template': 'The VSphereMachine each machine gets. Required.',
  ...describedUnder('spec.template.metadata', templateMetaFields),
  'spec.template.spec': 'The spec of each VSphereMachine made from the template. Required.',
  ...describedUnder('spec.template.spec', vsphereMachineSpecFields),
  status: 'What the template offers.',
  'status.capacity': 'The resources a machine of the template has (`cpu`, `memory`), for autoscalers. Not set by OpenPacific.',
};

// --- Host ----------------------------------------------------------------------------------------------------------

const host: FieldDescriptions = {
  '':
    'A host of the fleet (an ESXi host in Project Pacific): a spherelet-agent and crx-runtime pair that runs pods and VMs. Its agent registers it on every start, beginning a new epoch. Cluster-scoped; `kubectl get nodes` shows each Host as a Node, and `kubectl cordon`, `label` and `taint` on the Node change the Host.',
  spec: 'What admins set: cordoning, taints and a provider id.',
  'spec.unschedulable': 'When true, no new pods or VMs are placed on the host (`kubectl cordon`); those already there stay. A pod tolerating `node.kubernetes.io/unschedulable:NoSchedule` may still go there.',
  'spec.providerID': 'The host\'s id in its provider. The Node view shows `openpacific://<host>` when it is empty.',
  'spec.taints':
    "Taints keep pods that do not tolerate them off the host: `NoSchedule` and `NoExecute` block placement, and `NoExecute` evicts running pods too. Set with `kubectl taint node`, or by the agent's `HOST_TAINTS`, which replace them at each registration when set.",
  ...describedUnder('spec.taints', taintFields),
  status: 'What the agent reports at registration, and the heartbeats\' verdict.',
  'status.epoch':
    "The host's current run, raised by one at each registration of its agent. Bindings carry the epoch they were made for; a pod of an earlier epoch whose sandbox is gone is released and placed anew.",
  'status.capacity': "The host's resources: `cpu`, `memory` and `pods`, from `HOST_CPU`, `HOST_MEMORY` and `HOST_PODS` (by default the machine's cores and memory, and 110 pods).",
  'status.allocatable': 'What pods and VMs may use, counted against their requests by the scheduler: here the same as `capacity`.',
  'status.conditions':
    "`Ready` (`Unknown` until an epoch's first heartbeat, then True `HostReady`, or False `HeartbeatMissed` after `HOST_GRACE_MS`, 3 s, of silence), `ContainerIsolation` (whether containers get their own root filesystem and limits) and `NetworkUnavailable` (False; its reason says whether pods get their own network namespace or share the loopback).",
  'status.conditions.type': 'What the condition is about: `Ready`, `ContainerIsolation` or `NetworkUnavailable`.',
  'status.conditions.status': conditionFields.status,
  'status.conditions.reason': 'A CamelCase word for why (`HostReady`, `HeartbeatMissed`, `PodNetworkNamespaces`, `LoopbackFallback`).',
  'status.conditions.message': 'A sentence for people with the details.',
  'status.conditions.lastTransitionTime': conditionFields.lastTransitionTime,
  'status.conditions.lastHeartbeatTime': "When the condition was last confirmed. Not set: heartbeats are not stored (the host's Lease in `kube-node-lease` shows the last one).",
  'status.conditions.observedGeneration': 'The `metadata.generation` the condition was set for. Not set by OpenPacific.',
  'status.conditions.severity': 'How serious a `False` condition is. Not set for hosts.',
  'status.addresses': 'How the host is reached: `InternalIP` (`127.0.0.1` for a Supervisor host, a guest cluster\'s node its VM\'s address) and `Hostname` its name.',
  ...describedUnder('status.addresses', addressFields),
  'status.nodeInfo':
    'The host\'s system, by key: `machineID` (32 hex digits) and `systemUUID`, made from the host\'s name (the same at every start), `bootID` (a random UUID, new at each start of its agent; a change records a Warning `Rebooted` Event), `kubeletVersion` (`v1.32.0-openpacific`), `osImage`, `kernelVersion`, `operatingSystem`, `architecture` and `containerRuntimeVersion` (`crx://<driver>`).',
  'status.runtimeHandlers': 'The runtime handlers a RuntimeClass may name here: the default (`""`) and `crx`. Pods of a RuntimeClass naming another wait in ContainerCreating.',
  'status.runtimeHandlers.name': 'The handler\'s name; empty for the default handler.',
  'status.runtimeHandlers.features': 'What the handler supports.',
  'status.runtimeHandlers.features.recursiveReadOnlyMounts': 'Whether read-only mounts can be made read-only recursively: false.',
  'status.runtimeHandlers.features.userNamespaces': 'Whether pods can run in user namespaces: false.',
};

/** Field descriptions by kind (descriptionKey). */
export const guestClustersDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey('run.tanzu.vmware.com', 'TanzuKubernetesCluster')]: tanzuKubernetesCluster,
  [descriptionKey('run.tanzu.vmware.com', 'TanzuKubernetesRelease')]: tanzuKubernetesRelease,
  [descriptionKey('cluster.x-k8s.io', 'Cluster')]: cluster,
  [descriptionKey('cluster.x-k8s.io', 'ClusterClass')]: clusterClass,
  [descriptionKey('cluster.x-k8s.io', 'MachineDeployment')]: machineDeployment,
  [descriptionKey('cluster.x-k8s.io', 'MachineSet')]: machineSet,
  [descriptionKey('cluster.x-k8s.io', 'Machine')]: machine,
  [descriptionKey('cluster.x-k8s.io', 'MachineHealthCheck')]: machineHealthCheck,
  [descriptionKey('controlplane.cluster.x-k8s.io', 'KubeadmControlPlane')]: kubeadmControlPlane,
  [descriptionKey('vmware.infrastructure.cluster.x-k8s.io', 'VSphereCluster')]: vsphereCluster,
  [descriptionKey('vmware.infrastructure.cluster.x-k8s.io', 'VSphereMachine')]: vsphereMachine,
  [descriptionKey('vmware.infrastructure.cluster.x-k8s.io', 'VSphereMachineTemplate')]: vsphereMachineTemplate,
  [descriptionKey('infrastructure.openpacific.io', 'Host')]: host,
};
