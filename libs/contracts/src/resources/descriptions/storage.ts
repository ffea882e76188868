import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

/*
 * Storage (docs/vms.md, "Storage"): claims of the datastore class are bound to volumes carved from the datastore, a
 * directory every host reaches, by the scheduler's volume binder.
 */

const accessModes =
  'How the volume may be mounted: `ReadWriteOnce` (RWO), `ReadOnlyMany` (ROX), `ReadWriteMany` (RWX) or `ReadWriteOncePod` (RWOP). A claim binds only to a volume offering every mode it asks for; datastore volumes are directories every host reaches, and pods mounting them are not held to the modes.';

const volumeMode =
  '`Filesystem` (the default) or `Block`. A claim binds only to a volume of the same mode; pods mount every OpenPacific volume as a directory, so `Block` is only recorded.';

const volumeAttributesClassName =
  'The VolumeAttributesClass whose attributes (IOPS, throughput) the volume should have. This cluster serves no VolumeAttributesClass kind, so it is only kept; `kubectl get` shows `<unset>` when empty.';

/** A claim's spec, by path from it: a claim's `spec`, and a StatefulSet's or ephemeral volume's claim template spec. */
export const persistentVolumeClaimSpecFields: FieldDescriptions = {
  accessModes: `${accessModes} At least one is required.`,
  selector:
    'A label selector (`matchLabels`, `matchExpressions`) on the labels of existing volumes: the claim binds only to a free volume it selects (not checked for a volume the claim names in `volumeName` or one reserved for it). A claim with a selector is not provisioned: without a fitting volume it waits, with a Warning `ProvisioningFailed` (`claim Selector is not supported`).',
  resources: 'The storage the claim asks for.',
  'resources.requests':
    'The size wanted: `storage` (`5Gi`), required and above zero. A bound claim may ask for more (never less) when its class allows expansion: the datastore volume grows if the datastore has room. Counted by `requests.storage` quotas and LimitRanges.',
  'resources.limits': 'The most storage the volume may take. Kept; OpenPacific does not cap what a volume holds.',
  volumeName:
    'The PersistentVolume the claim is bound to. Set by the binder when it binds or provisions; set at creation to ask for one volume, the claim waits (`FailedBinding`) until that volume is available to it.',
  storageClassName:
    'The StorageClass the claim asks for. Left out, admission gives it the default class (the newest of several marked default); `""` asks for no class, so only a pre-created volume without a class will do. Immutable once set; once the namespace has a ResourceQuota, the class must be one its quotas name (`<class>.storageclass.storage.k8s.io/requests.storage`).',
  volumeMode,
  dataSource:
    'Where a new volume takes its data from: a VolumeSnapshot (`apiGroup: snapshot.storage.k8s.io`) of the namespace that is ready, or a Bound claim of the namespace and the same class, copied. Kept the same as `dataSourceRef` (either one fills the other); the claim may not ask for less than its source holds.',
  'dataSource.apiGroup': 'The source\'s API group: `snapshot.storage.k8s.io` for a VolumeSnapshot, empty for a PersistentVolumeClaim.',
  'dataSource.kind': '`VolumeSnapshot` or `PersistentVolumeClaim` (the only core kind allowed). Required.',
  'dataSource.name': 'The source\'s name, in the claim\'s namespace. Required.',
  dataSourceRef:
    'The data source, as `dataSource` names it; the two must agree. Other kinds (volume populators) are accepted, but the claim stays Pending saying they are not served.',
  'dataSourceRef.apiGroup': 'The source\'s API group; empty for a PersistentVolumeClaim.',
  'dataSourceRef.kind': 'The source\'s kind. Required.',
  'dataSourceRef.name': 'The source\'s name. Required.',
  'dataSourceRef.namespace': 'The source\'s namespace. Dropped when the claim is written: sources in other namespaces are not allowed, so the claim\'s own is used.',
  volumeAttributesClassName,
};

const storageClass: FieldDescriptions = {
  '':
    'A kind of storage claims can ask for, and how its volumes are made. `vsan-default-storage-policy` (provisioner `openpacific.io/datastore`) exists from the first start and is the default (annotation `storageclass.kubernetes.io/is-default-class: "true"`). Cluster-scoped; a namespace with quotas may use only the classes they name.',
  provisioner:
    'What makes volumes of the class. `openpacific.io/datastore` carves them from the datastore; claims of any other provisioner wait (`ExternalProvisioning`) for a volume made by hand. Required and immutable.',
  parameters:
    'Settings for the provisioner, as strings. The default class carries `storagePolicyID` and `datastore`, as a Supervisor\'s class does; the datastore provisioner does not read them. Immutable.',
  reclaimPolicy: 'What happens to a provisioned volume when its claim is deleted: `Delete` (the default) removes it and its data, `Retain` keeps it `Released` with its data. Immutable.',
  volumeBindingMode:
    '`Immediate` (the default): a volume is bound or provisioned as soon as the claim exists; `WaitForFirstConsumer`: only once a pod uses the claim. Immutable.',
  allowVolumeExpansion: "Whether a bound claim of the class may grow (`spec.resources.requests.storage` raised). Defaults to false; the default class allows it.",
  mountOptions: 'Mount options for volumes of the class (`ro`, `nfsvers=4.1`). Kept; datastore volumes are directories mounted without options.',
  allowedTopologies: 'Where volumes of the class may be provisioned, by node labels. Kept; the datastore reaches every host.',
};

const persistentVolumeClaim: FieldDescriptions = {
  '':
    'A request for storage that pods and VMs mount by name. A claim of the datastore class is bound to a new volume `pvc-<claim uid>` carved from the datastore, a directory every host reaches, so its data survives a pod\'s restart and its move to another host. A claim in use is not removed until its last pod or VM is gone (finalizer `kubernetes.io/pvc-protection`).',
  spec: 'The storage wanted. Immutable after creation, except a growing storage request of a bound claim, and `volumeName` or `storageClassName` given to a claim that had none.',
  ...describedUnder('spec', persistentVolumeClaimSpecFields),
  status: 'The claim as it is: bound or not, and what it got.',
  'status.phase':
    '`Pending` until bound (a claim that does not fit the datastore stays Pending with a `ProvisioningFailed` Event), `Bound`, or `Lost` when its volume was deleted from under it. `kubectl get` shows `Terminating` for a claim being deleted.',
  'status.accessModes': 'The access modes of the bound volume.',
  'status.capacity': 'The size of the bound volume (`storage`), raised when the volume grows.',
  'status.conditions': 'Conditions of a resize in progress (`Resizing`, `FileSystemResizePending`). OpenPacific grows datastore volumes at once and writes none.',
  'status.conditions.type': 'What the condition is about (`Resizing`).',
  'status.conditions.status': '`True`, `False` or `Unknown`.',
  'status.conditions.reason': 'A CamelCase word for why.',
  'status.conditions.message': 'A sentence for people with the details.',
  'status.conditions.lastTransitionTime': 'When `status` last changed (RFC 3339).',
  'status.conditions.lastHeartbeatTime': 'When the condition was last checked (RFC 3339).',
  'status.conditions.observedGeneration': 'The `metadata.generation` the condition was set for.',
  'status.conditions.severity': 'How serious a `False` condition is. Not used for claims.',
  'status.allocatedResources': 'The size a resize has set aside for the volume. Not set by OpenPacific, whose resizes complete at once.',
  'status.allocatedResourceStatuses': 'The state of a resize by resource (`ControllerResizeInProgress`). Not set by OpenPacific.',
};

const persistentVolume: FieldDescriptions = {
  '':
    'A piece of storage a claim binds to. The binder makes one per claim of the datastore class (a directory of the datastore, `hostPath`), and binds a Pending claim to a fitting pre-created one (the smallest that fits, one reserved for the claim first). Cluster-scoped; a volume bound to a claim is not removed until it is not (finalizer `kubernetes.io/pv-protection`).',
  spec: 'The volume: its size, modes, class, binding and where its data is.',
  'spec.capacity': 'The volume\'s size: `storage` (`10Gi`), required and above zero. A claim binds only to a volume at least as large as it asks.',
  'spec.accessModes': `${accessModes} At least one is required.`,
  'spec.persistentVolumeReclaimPolicy':
    'What happens when the claim is deleted: `Retain` (the default for a volume written by hand) leaves it `Released` with its data; `Delete` (a provisioned volume takes its class\'s) removes it and, for a datastore volume, its directory. `Recycle`, or `Delete` of a volume outside the datastore, leaves it `Failed` (`VolumeFailedDelete`) to reclaim by hand.',
  'spec.storageClassName': 'The StorageClass the volume belongs to; only claims of that class bind to it. Empty: only claims asking for no class.',
  'spec.claimRef':
    'The claim the volume is bound to, set by the binder. Written at creation with a claim\'s namespace and name, it reserves the volume for that claim.',
  'spec.claimRef.apiVersion': '`v1`.',
  'spec.claimRef.kind': '`PersistentVolumeClaim`.',
  'spec.claimRef.name': "The claim's name.",
  'spec.claimRef.namespace': "The claim's namespace.",
  'spec.claimRef.uid': 'The claim\'s uid: a later claim of the same name is another claim, and the volume is reclaimed when its own claim is gone.',
  'spec.claimRef.resourceVersion': 'Not used.',
  'spec.claimRef.fieldPath': 'Not used.',
  'spec.volumeMode': `${volumeMode} Immutable.`,
  'spec.mountOptions': 'Mount options for the volume. Kept; OpenPacific mounts volumes as directories, without options.',
  'spec.nodeAffinity': 'The hosts the volume can be reached from, by node selector terms. Kept; the scheduler does not read it, as the datastore reaches every host.',
  'spec.volumeAttributesClassName': volumeAttributesClassName,
  'spec.hostPath':
    'A directory on the hosts holding the volume\'s data; pods mount it as is. Datastore volumes are `<datastore>/pvc-<claim uid>`. Exactly one source (`hostPath`, `local`, `csi` or `nfs`) is allowed, and it cannot change.',
  'spec.hostPath.path': 'The directory\'s absolute path. Required.',
  'spec.hostPath.type': 'What must be at the path (`Directory`, `DirectoryOrCreate`). Provisioned volumes say `Directory`; not checked when pods mount a volume.',
  'spec.local': 'A directory holding the volume\'s data, mounted by pods as is (as `hostPath` is).',
  'spec.local.path': 'The directory\'s absolute path. Required.',
  'spec.local.fsType': 'The filesystem type of a block device at the path. Not used: the path is a directory.',
  'spec.csi': 'A volume of a CSI driver. Accepted and bound like any volume, but OpenPacific\'s hosts cannot mount it: a pod using it waits in ContainerCreating.',
  'spec.nfs': 'An NFS export. Accepted and bound like any volume, but OpenPacific\'s hosts cannot mount it: a pod using it waits in ContainerCreating.',
  status: 'The volume as it is.',
  'status.phase':
    '`Pending` (just written), `Available` (free), `Bound`, `Released` (its claim was deleted and it was retained) or `Failed` (it could not be reclaimed). `kubectl get` shows `Terminating` for a volume being deleted.',
  'status.message': 'Why the volume is in its phase, for people (set with `Failed`).',
  'status.reason': 'A CamelCase word for why the volume is in its phase. Not set by OpenPacific.',
  'status.lastPhaseTransitionTime': 'When the volume last changed phase (RFC 3339).',
};

/** Field descriptions by kind (descriptionKey). */
export const storageDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey('storage.k8s.io', 'StorageClass')]: storageClass,
  [descriptionKey('', 'PersistentVolumeClaim')]: persistentVolumeClaim,
  [descriptionKey('', 'PersistentVolume')]: persistentVolume,
};
