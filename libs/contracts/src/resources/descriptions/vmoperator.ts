import { labelSelectorFields } from './common';
import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

const VMOP = 'vmoperator.vmware.com';
const IMAGE_REGISTRY = 'imageregistry.vmware.com';

// Shared pieces ----------------------------------------------------------------------------------

/** A metav1.Condition's fields, by path from the condition. */
const conditionFields: FieldDescriptions = {
  type: 'The name of the condition (`Ready`, `VirtualMachineCreated`...), unique in the list.',
  status: '`True`, `False` or `Unknown`: whether the condition holds.',
  observedGeneration: "The object's `metadata.generation` the condition was worked out for; an older one means it may be out of date.",
  lastTransitionTime: 'When `status` last changed (RFC 3339, UTC).',
  reason: 'A one-word CamelCase cause for programs to match on (`NotFound`, `True`).',
  message: 'A human-readable explanation of the condition; may be empty.',
};

/** A list of conditions at `prefix`, `what` describing the list. */
function conditionsAt(prefix: string, what: string): FieldDescriptions {
  return { ...describedUnder(prefix, conditionFields), [prefix]: what };
}

const capiSeverity =
  'Only at v1alpha1 (Cluster API style conditions): how bad a False condition is, `Error`, `Warning` or `Info`. Not filled in here: conversion to v1alpha1 leaves it out.';

/** A VMAffinityTerm, by path from the term. */
const vmAffinityTermFields: FieldDescriptions = {
  labelSelector: 'Which VMs of the namespace the term is about, by their labels. A term without a selector selects no VM.',
  ...describedUnder('labelSelector', labelSelectorFields),
  'labelSelector.matchExpressions':
    "Requirements on the other VMs' labels, all of which must hold. Admission takes only the `In` operator here and no key of the `vmoperator.vmware.com` domain (422 naming the field).",
  'labelSelector.matchExpressions.operator': 'How the key is tested. The schema lists `In`, `NotIn`, `Exists` and `DoesNotExist`, but VM affinity terms admit only `In`.',
  topologyKey:
    'The host label that defines "the same place": `topology.kubernetes.io/zone` (a zone) or `kubernetes.io/hostname` (a host). Affinity terms take only the zone key; anti-affinity terms take either. Required.',
};

function vmAffinityFields(anti: boolean): FieldDescriptions {
  const effect = anti ? 'already runs a VM a term selects' : 'runs no VM a term selects';
  const score = anti ? 'takes 100 off' : 'adds 100 to';
  return {
    '': anti
      ? 'Rules that keep the VM away from other VMs of its namespace (on another host or in another zone), chosen by label. The scheduler treats them as pod anti-affinity among VMs.'
      : 'Rules that place the VM in the same zone as other VMs of its namespace, chosen by label. The scheduler treats them as pod affinity among VMs.',
    ...describedUnder('requiredDuringSchedulingPreferredDuringExecution', {
      '': `Terms that must all be met for the VM to be placed: a host whose domain (by the topology key) ${effect} is filtered out. A VM that fits nowhere stays unplaced with \`VirtualMachineConditionPlacementReady\` False until a host allows it.`,
      ...vmAffinityTermFields,
    }),
    ...describedUnder('preferredDuringSchedulingPreferredDuringExecution', {
      '': `Terms the scheduler tries to meet: each VM a term selects in a host's domain ${score} the host's score. Nothing moves a running VM later.`,
      ...vmAffinityTermFields,
    }),
    ...describedUnder('requiredDuringSchedulingRequiredDuringExecution', {
      '': `Hard ${anti ? 'anti-affinity' : 'affinity'} that would also hold while the VM runs. Refused at admission (422), as VM Operator does not enable it.`,
      ...vmAffinityTermFields,
    }),
  };
}

const zoneOperator = '`In`, `NotIn`, `Exists`, `DoesNotExist`, or `Gt` and `Lt` (which compare a single integer value).';
const zoneValues = 'The values compared with: one or more for `In` and `NotIn`, one integer for `Gt` and `Lt`, none for `Exists` and `DoesNotExist`.';

/** A zone selector term of the zone rules of earlier v1alpha5 releases, by path from the term. */
const zoneTermFields: FieldDescriptions = {
  matchExpressions: "Requirements on a zone's labels, all of which must hold.",
  'matchExpressions.key': 'The zone label key tested.',
  'matchExpressions.operator': zoneOperator,
  'matchExpressions.values': zoneValues,
  matchFields: "Requirements on a zone's fields (such as its name) instead of its labels.",
  'matchFields.key': 'The zone field tested.',
  'matchFields.operator': zoneOperator,
  'matchFields.values': zoneValues,
};

function zoneAffinityFields(anti: boolean): FieldDescriptions {
  return {
    '': anti
      ? 'Zones the VM should not be placed in, from earlier v1alpha5 releases. Accepted and stored, not used for placement.'
      : 'Zones the VM should be placed in, from earlier v1alpha5 releases. Accepted and stored, not used for placement.',
    ...describedUnder('requiredDuringSchedulingIgnoredDuringExecution', {
      '': anti ? 'Zone terms the VM\'s zone must not match (not used here).' : 'Zone terms one of which the VM\'s zone must match (not used here).',
      ...zoneTermFields,
    }),
    ...describedUnder('preferredDuringSchedulingIgnoredDuringExecution', {
      '': anti ? 'Zone terms the VM\'s zone should preferably not match (not used here).' : 'Zone terms the VM\'s zone should preferably match (not used here).',
      ...zoneTermFields,
    }),
  };
}

const powerOpModes = (what: string, hard: string) =>
  `How the VM is ${what}: \`Hard\` (${hard}), \`Soft\` (asks the guest through VMware Tools) or \`TrySoft\` (soft first, hard if the VM is not done after five minutes; the default).`;

// VirtualMachine ---------------------------------------------------------------------------------

/** A VirtualMachine's spec at v1alpha2 and later, by path from the spec: a VM's `spec` and a replica set's template. */
const vmSpecFields: FieldDescriptions = {
  '': 'The desired state of the VM: its class, image and storage class, how the guest is bootstrapped and networked, its power state and its volumes.',
  imageName:
    'The image the VM is deployed from: the name of a VirtualMachineImage of the namespace (looked up first) or of a ClusterVirtualMachineImage, or an image\'s display name (`status.name`) when it names exactly one. Admission writes the image found into `spec.image`; required on create (or `spec.image`) and immutable.',
  className:
    'The VirtualMachineClass (of the VM\'s namespace) that sizes the VM: vCPUs, memory and reservations. Required. Changing it resizes the VM, with the power cycle that needs.',
  storageClass:
    'The StorageClass of the VM\'s own disks. It must exist (`VirtualMachineStorageReady`) and, in a namespace with storage quotas, be one of the namespace\'s. Immutable.',

  bootstrap:
    'How the guest is customized when it first boots. Use `cloudInit`, `linuxPrep` or `sysprep`; `linuxPrep` or `sysprep` may be combined with `vAppConfig`. Here only cloud-init user data reaches the simulated guest.',
  'bootstrap.cloudInit': 'Customize the guest with Cloud-Init (Linux) or Cloudbase-Init (Windows), which also configure its network. Give `cloudConfig` or `rawCloudConfig`, not both.',
  'bootstrap.cloudInit.cloudConfig':
    'Cloud-init settings written inline as an object (`users`, `runcmd`, `write_files`...). Handed to the guest as `#cloud-config` user data.',
  'bootstrap.cloudInit.rawCloudConfig':
    'A key of a Secret in the VM\'s namespace holding the user data (plain text, base64, or gzipped and base64). The VM waits, `VirtualMachineBootstrapReady` False, until the Secret and the key exist.',
  'bootstrap.cloudInit.rawCloudConfig.name': 'The name of the Secret holding the user data.',
  'bootstrap.cloudInit.rawCloudConfig.key': 'The key of the Secret\'s data whose value is the user data, such as `user-data`.',
  'bootstrap.cloudInit.sshAuthorizedKeys': 'Public SSH keys cloud-init installs for the guest\'s default user.',
  'bootstrap.cloudInit.instanceID':
    'The instance ID cloud-init sees in its metadata; defaults to the VM\'s `biosUUID`. A new value makes cloud-init treat the guest as a new instance and run again.',
  'bootstrap.cloudInit.useGlobalNameserversAsDefault': 'Whether an interface that lists no nameservers gets `spec.network.nameservers`. Defaults to `true`.',
  'bootstrap.cloudInit.useGlobalSearchDomainsAsDefault': 'Whether an interface that lists no search domains gets `spec.network.searchDomains`. Defaults to `true`.',
  'bootstrap.cloudInit.waitOnNetwork4': 'Whether the cloud-init datasource waits until the guest has an IPv4 address before it writes the instance data.',
  'bootstrap.cloudInit.waitOnNetwork6': 'Whether the cloud-init datasource waits until the guest has an IPv6 address before it writes the instance data.',
  'bootstrap.linuxPrep':
    'Customize a Linux guest with VMware guest OS customization (host name, network, time zone, root password). May be combined with `vAppConfig`, not with `cloudInit` or `sysprep`.',
  'bootstrap.linuxPrep.hardwareClockIsUTC': 'Whether the guest\'s hardware clock keeps UTC (`true`) or local time.',
  'bootstrap.linuxPrep.timeZone': 'The guest\'s time zone, a case-sensitive tz database name such as `Europe/Sofia`.',
  'bootstrap.linuxPrep.expirePasswordAfterNextLogin': 'Whether root must change its password at the next login.',
  'bootstrap.linuxPrep.password': 'A key of a Secret in the VM\'s namespace holding the new root password.',
  'bootstrap.linuxPrep.password.name': 'The name of the Secret holding the root password.',
  'bootstrap.linuxPrep.password.key': 'The key of the Secret\'s data holding the root password (usually `password`).',
  'bootstrap.linuxPrep.scriptText': 'A script the customization runs before and after it configures the guest, given inline or from a Secret.',
  'bootstrap.linuxPrep.scriptText.value': 'The script, written inline.',
  'bootstrap.linuxPrep.scriptText.from': 'A key of a Secret in the VM\'s namespace holding the script.',
  'bootstrap.linuxPrep.scriptText.from.name': 'The name of the Secret holding the script.',
  'bootstrap.linuxPrep.scriptText.from.key': 'The key of the Secret\'s data holding the script.',
  'bootstrap.linuxPrep.customizeAtNextPowerOn':
    '`true` customizes the guest at the next power-on and is then reset to `false`; `false` skips it. Unset, the guest is customized at a power-on only when the customization settings changed.',
  'bootstrap.sysprep': 'Customize a Windows guest with a sysprep answer file, given as `sysprep` or `rawSysprep` (not both). May be combined with `vAppConfig`.',
  'bootstrap.sysprep.sysprep': 'The answer file\'s settings as an object (identification, user data, GUI unattended, license...), not modelled field by field here.',
  'bootstrap.sysprep.rawSysprep': 'A key of a Secret in the VM\'s namespace holding the sysprep XML (plain text, base64, or gzipped and base64).',
  'bootstrap.sysprep.rawSysprep.name': 'The name of the Secret holding the sysprep XML.',
  'bootstrap.sysprep.rawSysprep.key': 'The key of the Secret\'s data holding the sysprep XML.',
  'bootstrap.sysprep.customizeAtNextPowerOn':
    '`true` customizes the guest at the next power-on and is then reset to `false`; `false` skips it. Unset, the guest is customized at a power-on only when the customization settings changed.',
  'bootstrap.vAppConfig':
    'Set the OVF (vApp) properties the image declares (`status.ovfProperties` of the image), which its guest reads at boot. Give `properties` or `rawProperties`, not both.',
  'bootstrap.vAppConfig.properties': 'The properties to set, one entry per key.',
  'bootstrap.vAppConfig.properties.key': 'The OVF property\'s key, as the image declares it.',
  'bootstrap.vAppConfig.properties.value': 'The property\'s value, given inline or from a Secret.',
  'bootstrap.vAppConfig.properties.value.value': 'The value, written inline.',
  'bootstrap.vAppConfig.properties.value.from': 'A key of a Secret in the VM\'s namespace holding the value.',
  'bootstrap.vAppConfig.properties.value.from.name': 'The name of the Secret holding the value.',
  'bootstrap.vAppConfig.properties.value.from.key': 'The key of the Secret\'s data holding the value.',
  'bootstrap.vAppConfig.rawProperties': 'The name of a Secret in the VM\'s namespace whose every key and value is set as an OVF property.',

  network:
    'The VM\'s network settings; omitted, the VM gets one interface on the namespace\'s default network. Here every VM gets one interface, `eth0`, with the next free address of its namespace\'s pool; the settings are kept but not applied.',
  'network.hostName':
    'The host name the guest sets; defaults to the VM\'s name. A DNS label of at most 63 characters (15 on Windows); used by Cloud-Init, LinuxPrep and Sysprep.',
  'network.domainName':
    'The guest\'s DNS domain name (for Windows, the domain to join). With `hostName` at most 255 characters.',
  'network.disabled': 'When `true`, the VM gets no network interface at all, neither a default one nor those of `interfaces`.',
  'network.nameservers':
    'DNS servers (IPv4 or IPv6 addresses) for the whole guest, as LinuxPrep and Sysprep apply them; Cloud-Init uses them for interfaces without their own. Linux takes at most three.',
  'network.searchDomains': 'DNS search domains for the whole guest, as LinuxPrep and Sysprep apply them; Cloud-Init uses them for interfaces without their own.',
  'network.interfaces':
    'The VM\'s network interfaces, at most 10. Empty (and `disabled` not set), the VM gets one interface `eth0` on the default network.',
  'network.interfaces.name':
    'The interface\'s name, unique in the VM: at least two lower-case letters or digits (`eth0`). With Cloud-Init and no `guestDeviceName`, the guest\'s device is renamed to it.',
  'network.interfaces.network': 'The network the interface is connected to; omitted, the namespace\'s default network.',
  'network.interfaces.network.apiVersion':
    'The network kind\'s API group and version, such as `netoperator.vmware.com/v1alpha1` (vSphere Distributed) or `crd.nsx.vmware.com/v1alpha1` (NSX).',
  'network.interfaces.network.kind': 'The network\'s kind: `Network`, `VirtualNetwork`, `Subnet` or `SubnetSet`.',
  'network.interfaces.network.name': 'The name of the network object in the VM\'s namespace.',
  'network.interfaces.guestDeviceName': 'The device name the interface gets inside the guest (Cloud-Init renames it). It must not clash with other devices of the guest.',
  'network.interfaces.addresses':
    'Static IPv4 or IPv6 addresses with their prefix length (`192.168.0.10/24`), on networks that allow manual allocation. No IPv4 address with `dhcp4`, no IPv6 address with `dhcp6`.',
  'network.interfaces.dhcp4': 'Whether the interface gets its IPv4 settings by DHCP. Excludes IPv4 `addresses` and `gateway4`.',
  'network.interfaces.dhcp6': 'Whether the interface gets its IPv6 settings by DHCP. Excludes IPv6 `addresses` and `gateway6`.',
  'network.interfaces.gateway4': 'The interface\'s default IPv4 gateway. Unset, the network\'s gateway is used; `None` uses none.',
  'network.interfaces.gateway6': 'The interface\'s default IPv6 gateway. Unset, the network\'s gateway is used; `None` uses none.',
  'network.interfaces.mtu': 'The interface\'s MTU in bytes (Cloud-Init only).',
  'network.interfaces.nameservers': 'DNS servers for this interface (Cloud-Init and Sysprep). Linux takes at most three.',
  'network.interfaces.routes': 'Static routes through this interface (Cloud-Init only).',
  'network.interfaces.routes.to': 'The route\'s destination: `default`, or an IPv4 or IPv6 network with its prefix length.',
  'network.interfaces.routes.via': 'The IPv4 or IPv6 address of the gateway the route goes through.',
  'network.interfaces.routes.metric': 'The route\'s priority: among routes to the same place, the lowest metric wins.',
  'network.interfaces.searchDomains': 'DNS search domains for this interface (Cloud-Init only).',
  'network.interfaces.macAddr': 'A fixed MAC address for the interface; generated when empty. Only NSX networks (`crd.nsx.vmware.com`) honour it.',

  powerState:
    'The power state wanted: `PoweredOn` (the default on create), `PoweredOff` or `Suspended` (not on create). Once set it cannot be cleared; the VM\'s host powers the VM as it says.',
  powerOffMode: powerOpModes('powered off', 'like pulling the plug'),
  suspendMode: powerOpModes('suspended', 'the hypervisor suspends it without asking the guest'),
  nextRestartTime:
    'Set it to `now` to restart the VM: admission replaces it with the time of the request, and the host restarts the VM (by `restartMode`) when it differs from `status.lastRestartTime`. Other values are refused; not on create.',
  restartMode: powerOpModes('restarted', 'a reset, without asking the guest'),

  volumes:
    'Disks attached to the VM, each backed by a PersistentVolumeClaim of its namespace. Every claim must be Bound for `VirtualMachineStorageReady`; here the claim\'s volume is attached as a disk that follows the VM to another host.',
  'volumes.name': 'The volume\'s name, a DNS label unique in the VM.',
  'volumes.persistentVolumeClaim': 'The claim backing the volume. While the VM lists it, deleting the claim leaves it Terminating.',
  'volumes.persistentVolumeClaim.claimName': 'The name of a PersistentVolumeClaim in the VM\'s namespace.',
  'volumes.persistentVolumeClaim.readOnly': 'Whether the disk is attached read-only. Defaults to `false`.',
  'volumes.persistentVolumeClaim.instanceVolumeClaim':
    'Set, by the system, on a claim for instance storage that the VM\'s class asks for (`spec.hardware.instanceStorage` of the class).',
  'volumes.persistentVolumeClaim.instanceVolumeClaim.storageClass': 'The StorageClass backing the instance storage volume.',
  'volumes.persistentVolumeClaim.instanceVolumeClaim.size': 'The size of the instance storage volume, a quantity (`256Gi`).',
  'volumes.removable':
    'Whether the volume may be removed from `spec.volumes`: a guard against detaching a disk by mistake. Defaults to `true`; disks that come from the image are marked `false`.',
  'volumes.applicationType':
    '`OracleRAC` or `MicrosoftWSFC`: set the disk up for a clustered application (independent persistent disk mode; multi-writer sharing for Oracle RAC, a physically shared SCSI controller for WSFC).',
  'volumes.controllerType': 'The kind of controller the disk goes on: `IDE`, `NVME`, `SATA` or `SCSI` (the default when `controllerBusNumber` is also empty).',
  'volumes.controllerBusNumber': 'The bus number of the controller of `controllerType` the disk goes on. Empty: the first SCSI controller with a free slot.',
  'volumes.unitNumber': 'The disk\'s unit number on its controller, unique there; the next free one when empty. `7` is invalid on SCSI (the controller\'s own).',
  'volumes.diskMode':
    '`Persistent` (the default), `NonPersistent`, `IndependentPersistent` or `IndependentNonPersistent`. Independent disks are left out of snapshots; what is written to non-persistent disks is lost at power-off.',
  'volumes.sharingMode': '`None` (the default) or `MultiWriter` (several VMs may write the disk; the default with `OracleRAC`).',

  readinessProbe:
    'How the VM\'s `Ready` condition is worked out: give one action (`tcpSocket`, `guestHeartbeat` or `guestInfo`). The vm-operator runs it every `periodSeconds`; without a probe the host reports `Ready` from the guest\'s heartbeat.',
  'readinessProbe.tcpSocket': 'Ready when a TCP connection to the VM opens within `timeoutSeconds`.',
  'readinessProbe.tcpSocket.port': 'The port to connect to, 1-65535. A named port is accepted by the schema but always fails, as VM Operator resolves none.',
  'readinessProbe.tcpSocket.host': 'The address to connect to; defaults to the VM\'s `status.network.primaryIP4`.',
  'readinessProbe.guestHeartbeat': 'Ready when the guest\'s heartbeat, as its host reports it, is at least `thresholdStatus`.',
  'readinessProbe.guestHeartbeat.thresholdStatus': 'The lowest heartbeat that counts as ready: `green` (the default) or `yellow`.',
  'readinessProbe.guestInfo':
    'Ready when every listed `guestinfo.<key>` is set and matches its value. Guests here publish no guestinfo keys, so such a probe is never ready.',
  'readinessProbe.guestInfo.key': 'The guestinfo key, without its `guestinfo.` prefix (it is added).',
  'readinessProbe.guestInfo.value': 'A regular expression (RE2) the key\'s value must match; empty or invalid matches anything.',
  'readinessProbe.timeoutSeconds': 'Seconds after which a probe attempt fails, 1-60. Defaults to 10.',
  'readinessProbe.periodSeconds': 'Seconds between probes, at least 1. Defaults to 10; the probe also runs at once when the VM\'s power, address or heartbeat changes.',

  advanced: 'Rarely needed settings of the VM\'s disks.',
  'advanced.bootDiskCapacity':
    'The size of the boot disk (the image\'s first disk), a quantity (`50Gi`). Growing it may need work in the guest; ignored for VMs booted from an ISO.',
  'advanced.defaultVolumeProvisioningMode': 'How the VM\'s disks are provisioned: `Thin`, `Thick` or `ThickEagerZero` (thick, zeroed up front).',
  'advanced.changeBlockTracking': 'Whether changed block tracking is on, for incremental backups by external backup tools.',
  reserved: 'Settings the system keeps for itself; a user may not change them.',
  'reserved.resourcePolicyName':
    'The VirtualMachineSetResourcePolicy of the VM\'s namespace the VM belongs to (a Tanzu cluster\'s node VMs share one). Its VMs are spread over hosts. Immutable.',
  minHardwareVersion:
    'The lowest virtual hardware version the VM may have, at least 13; an older VM is upgraded, a newer one is left alone. The version found is in `status.hardwareVersion`.',

  cdrom: 'CD-ROM drives, each backed by an ISO image. Drives may be added or removed only while the VM is powered off; `spec.guestID` is then required.',
  'cdrom.name': 'The drive\'s name, unique in the VM: at least two lower-case letters or digits.',
  'cdrom.image': 'The ISO image in the drive: a VirtualMachineImage or ClusterVirtualMachineImage by object name. Two drives may not use the same image.',
  'cdrom.image.kind': '`VirtualMachineImage` (the default) or `ClusterVirtualMachineImage`.',
  'cdrom.image.name': 'The image\'s object name (not its display name).',
  'cdrom.connected': 'Whether the drive is connected. Defaults to `true`; may change while the VM runs.',
  'cdrom.allowGuestControl': 'Whether a web console may connect and disconnect the drive. Defaults to `true`.',
  image: 'The image the VM was deployed from, by object reference. Admission fills it from `spec.imageName`; when both are given they must name the same image.',
  'image.kind': '`VirtualMachineImage` (of the VM\'s namespace) or `ClusterVirtualMachineImage`.',
  'image.name': 'The image\'s object name (not its display name).',
  crypto: 'How the VM is encrypted. Kept, but the simulated hosts do not encrypt VMs.',
  'crypto.encryptionClassName': 'The EncryptionClass of the namespace whose key encrypts the VM; `spec.storageClass` must then be an encryption storage class.',
  'crypto.useDefaultKeyProvider':
    'Whether, with no `encryptionClassName`, the platform\'s default key provider encrypts (or re-keys) the VM where its storage class or vTPM calls for it. Defaults to `true`.',
  'crypto.vTPMMode': 'For a VM deployed from a VM-backed image of an encrypted VM with a vTPM: `New` (a fresh vTPM, the default) or `Clone` (keep the image\'s).',
  instanceUUID: 'The VM\'s instance UUID in vCenter; random when empty. Immutable once set; the VM keeps it when it fails over to another host.',
  biosUUID:
    'The UUID the guest sees as its BIOS (hardware) UUID; random when empty. Cloud-Init uses it as the default `instanceID`. Immutable once set; kept across failover.',
  guestID: 'The guest operating system identifier (vSphere\'s, such as `ubuntu64Guest`); defaults to the image\'s. Required with CD-ROMs; changed only when powered off.',

  affinity:
    'Where the VM may be placed relative to other VMs of its namespace. Needs `spec.groupName`; cannot change after create.',
  ...describedUnder('affinity.vmAffinity', vmAffinityFields(false)),
  ...describedUnder('affinity.vmAntiAffinity', vmAffinityFields(true)),
  ...describedUnder('affinity.zoneAffinity', zoneAffinityFields(false)),
  ...describedUnder('affinity.zoneAntiAffinity', zoneAffinityFields(true)),

  class: 'The VirtualMachineClassInstance the VM uses (a snapshot of a class). With `className` given too, both must name the same class.',
  'class.apiVersion': 'The class instance\'s API group and version (`vmoperator.vmware.com/v1alpha5`).',
  'class.kind': 'The kind referred to, `VirtualMachineClassInstance`.',
  'class.name': 'The name of the VirtualMachineClassInstance in the VM\'s namespace.',
  promoteDisksMode:
    'When a VM deployed as a linked clone gets full disks of its own: `Online` (while it runs, the default; not with snapshots), `Offline` (while powered off) or `Disabled`.',
  bootOptions:
    'Boot settings used at the next power-on: `firmware` (`BIOS` or `EFI`), `bootDelay`, `bootOrder`, `bootRetry`, `bootRetryDelay`, `enterBootSetup`, `efiSecureBoot`, `networkBootProtocol`. Kept but not acted on here.',
  currentSnapshotName:
    'Set to the name of a VirtualMachineSnapshot of the VM to revert the VM to it; cleared once done (`status.currentSnapshot` then names it). Not on create; no other name while a revert is pending.',
  groupName:
    'The VirtualMachineGroup the VM belongs to; the group must also list the VM in its boot order. The group then powers the VM and owns it (owner reference).',
  hardware: 'The VM\'s virtual devices: `cdrom` drives and `ideControllers`, `nvmeControllers`, `sataControllers`, `scsiControllers`. Kept but not acted on by the simulated hosts.',
  policies: 'Compute policies to apply to the VM explicitly (only `ComputePolicy` objects of type `Optional`). Kept but not applied here.',
  'policies.apiVersion': 'The policy\'s API group and version (`vsphere.policy.vmware.com/v1alpha1`).',
  'policies.kind': 'The policy\'s kind, `ComputePolicy`.',
  'policies.name': 'The policy\'s name in the VM\'s namespace.',
};

/** A VirtualMachine's status, by path from the status. */
const vmStatusFields: FieldDescriptions = {
  '': 'The observed state of the VM, written by the vm-operator, the scheduler and the host the VM runs on.',
  image: 'The image the VM was deployed from.',
  'image.apiVersion': 'The image kind\'s API group and version.',
  'image.kind': '`VirtualMachineImage` or `ClusterVirtualMachineImage`.',
  'image.name': 'The image\'s object name.',
  class: 'The VirtualMachineClass the VM is sized by, as its host last applied it.',
  'class.apiVersion': 'The class\'s API group and version (`vmoperator.vmware.com/v1alpha5`).',
  'class.kind': 'The kind, `VirtualMachineClass`.',
  'class.name': 'The class\'s name.',
  powerState: 'The power state the VM\'s host reports: `PoweredOn`, `PoweredOff` or `Suspended`.',
  ...conditionsAt(
    'conditions',
    'The VM\'s conditions: `VirtualMachineClassReady`, `VirtualMachineImageReady`, `VirtualMachineStorageReady` and `VirtualMachineBootstrapReady` (its references resolve), `VirtualMachineConditionPlacementReady` (placed on a host), `VirtualMachineCreated` and `Ready`; `GroupLinked` and `VirtualMachineSnapshotRevertSucceeded` where they apply.',
  ),
  network: 'The VM\'s network as observed, once the guest answers.',
  'network.config': 'The network settings worked out for the VM (addresses from IP management, DNS), for guests without a bootstrap engine. Not reported here.',
  'network.hostName': 'The host name the guest reports through VMware Tools. Not reported here.',
  'network.interfaces': 'The VM\'s network interfaces as observed. Here one interface, `eth0`, with the VM\'s address.',
  'network.interfaces.name': 'The name of the matching entry of `spec.network.interfaces` (not necessarily the guest\'s device name).',
  'network.interfaces.deviceKey': 'The virtual device key of the interface\'s network card.',
  'network.interfaces.ip': 'The interface\'s IP settings as observed.',
  'network.interfaces.ip.addresses': 'The interface\'s addresses.',
  'network.interfaces.ip.addresses.address': 'An IPv4 or IPv6 address with its prefix length (`127.64.0.5/16`).',
  'network.interfaces.ip.addresses.origin': 'How the address was set: `static`, `dhcp`, `linklayer`, `random`... (`static` here).',
  'network.interfaces.ip.addresses.state': 'The address\'s state: `preferred`, `deprecated`, `tentative`, `duplicate`... (`preferred` here).',
  'network.interfaces.ip.addresses.lifetime': 'When the address expires (RFC 3339), for leased addresses.',
  'network.interfaces.ip.dhcp': 'The interface\'s DHCP client settings for IPv4 and IPv6, as the guest reports them.',
  'network.interfaces.ip.macAddr': 'The interface\'s MAC address.',
  'network.interfaces.ip.autoConfigurationEnabled': 'Whether IPv6 router solicitation (stateless address autoconfiguration) is on for the interface.',
  'network.interfaces.dns': 'The interface\'s DNS settings (host and domain name, nameservers, search domains), as the guest reports them.',
  'network.ipStacks': 'The guest\'s IP stacks: DHCP and DNS settings, routing tables and kernel IP settings, as VMware Tools reports them. Not reported here.',
  'network.primaryIP4': 'The VM\'s main IPv4 address: here the address its namespace\'s pool gave it, shown once the guest answers its heartbeat.',
  'network.primaryIP6': 'The VM\'s main IPv6 address. Not reported here.',
  uniqueID: 'The VM\'s id on its platform (its managed object id on vSphere), set once the host has created it.',
  biosUUID: 'The BIOS UUID the guest sees as its hardware id.',
  instanceUUID: 'The VM\'s instance UUID on its platform.',
  volumes: 'The volumes of `spec.volumes` as the host attached them.',
  'volumes.name': 'The volume\'s name in `spec.volumes`.',
  'volumes.type': '`Managed` (a disk from a claim) or `Classic` (a disk of the VM itself, such as one from its image).',
  'volumes.attached': 'Whether the disk is attached to the VM.',
  'volumes.diskUUID': 'The id of the attached virtual disk (here the claim\'s uid).',
  'volumes.error': 'The last error attaching or detaching the volume (`the claim is not bound`); empty once attached.',
  'volumes.limit': 'The most the volume may hold: here the bound claim\'s capacity.',
  'volumes.requested': 'The capacity asked for the volume, counted against the namespace\'s storage quota.',
  'volumes.used': 'The space the volume takes on its datastore, without shared parts.',
  'volumes.crypto': 'How the volume is encrypted: the key provider\'s and key\'s ids; empty for a disk that is not encrypted.',
  'volumes.controllerType': 'The kind of controller the disk is on: `IDE`, `NVME`, `SATA` or `SCSI`.',
  'volumes.controllerBusNumber': 'The bus number of the controller the disk is on.',
  'volumes.unitNumber': 'The disk\'s unit number on its controller.',
  'volumes.diskMode': 'The disk\'s mode: `Persistent`, `NonPersistent`, `IndependentPersistent` or `IndependentNonPersistent`.',
  'volumes.sharingMode': 'The disk\'s sharing mode: `None` or `MultiWriter`.',
  changeBlockTracking: 'Whether changed block tracking is on for the VM. Not reported here.',
  zone: 'The availability zone the VM was placed in; empty where hosts have no zones. Not reported here.',
  lastRestartTime: 'When the VM was last restarted through `spec.nextRestartTime` (that value, once the host has acted on it).',
  hardwareVersion: 'The VM\'s virtual hardware version. Not reported here.',
  crypto: 'How the VM is encrypted: `encrypted` (`Config`, `Disks`), `providerID`, `keyID`, `hasVTPM`. Not reported here.',
  storage: 'The storage the VM uses beyond its claims (its disks and other files), as counted against the namespace\'s quota. Not reported here.',
  nodeName: 'The host the scheduler placed the VM on (`status.host` at v1alpha1 to v1alpha3). Cleared when its host fails, until the VM is placed again.',
  currentSnapshot: 'The snapshot the VM runs from: the last one taken or reverted to.',
  'currentSnapshot.type': '`Managed` (a VirtualMachineSnapshot) or `Unmanaged` (taken outside the Supervisor; never shown here).',
  'currentSnapshot.name': 'The VirtualMachineSnapshot\'s name, for a managed snapshot.',
  rootSnapshots: 'The VM\'s snapshots that have no parent; with each snapshot\'s `status.children` they make the VM\'s snapshot tree.',
  'rootSnapshots.type': '`Managed` (a VirtualMachineSnapshot) or `Unmanaged` (taken outside the Supervisor; never shown here).',
  'rootSnapshots.name': 'The VirtualMachineSnapshot\'s name, for a managed snapshot.',
  guest: 'The guest operating system as VMware Tools reports it. Not reported here.',
  'guest.guestID': 'The guest OS identifier (`ubuntu64Guest`).',
  'guest.guestFullName': 'The guest OS\'s full name (`Ubuntu Linux (64-bit)`).',
  hardware: 'The VM\'s hardware as observed: controllers and their devices, CPU and memory totals and reservations, vGPUs. Not reported here.',
  policies: 'The compute policies applied to the VM, with the generation of each. Not reported here.',
  host: 'The host the VM runs on, at v1alpha1 to v1alpha3 (`status.nodeName` at v1alpha5).',
};

/** Fields only v1alpha1 VirtualMachines have, by path from the object; and notes on its lower-case enums. */
const vmV1alpha1Fields: FieldDescriptions = {
  'spec.powerState':
    'The power state wanted: `PoweredOn` (the default on create), `PoweredOff` or `Suspended` (not on create); `poweredOn`, `poweredOff`, `suspended` at v1alpha1. Once set it cannot be cleared; the VM\'s host powers the VM as it says.',
  'spec.powerOffMode': `${powerOpModes('powered off', 'like pulling the plug')} At v1alpha1: \`hard\`, \`soft\`, \`trySoft\`.`,
  'spec.suspendMode': `${powerOpModes('suspended', 'the hypervisor suspends it without asking the guest')} At v1alpha1: \`hard\`, \`soft\`, \`trySoft\`.`,
  'spec.restartMode': `${powerOpModes('restarted', 'a reset, without asking the guest')} At v1alpha1: \`hard\`, \`soft\`, \`trySoft\`.`,
  'status.powerState': 'The power state the VM\'s host reports: `PoweredOn`, `PoweredOff` or `Suspended` (`poweredOn`, `poweredOff`, `suspended` at v1alpha1).',

  'spec.ports': 'Only at v1alpha1: ports the VM was to expose. Nothing uses them; they are kept for v1alpha1 clients.',
  'spec.ports.port': 'The port number.',
  'spec.ports.ip': 'The address the port is on.',
  'spec.ports.name': 'The port\'s name.',
  'spec.ports.protocol': 'The port\'s protocol (`TCP`, `UDP`).',
  'spec.vmMetadata':
    'Only at v1alpha1: where the guest\'s customization data comes from and how it reaches the guest. Shown in later versions as `spec.bootstrap`.',
  'spec.vmMetadata.configMapName': 'A ConfigMap of the VM\'s namespace holding the data; used when `secretName` is empty.',
  'spec.vmMetadata.secretName': 'A Secret of the VM\'s namespace holding the data; preferred to `configMapName`.',
  'spec.vmMetadata.transport':
    '`CloudInit` (key `user-data`) or `ExtraConfig` (key `guestinfo.userdata`) become `bootstrap.cloudInit.rawCloudConfig`; `OvfEnv` becomes `linuxPrep` with `vAppConfig.rawProperties`, `vAppConfig` the latter alone; `Sysprep` becomes `sysprep.rawSysprep` (key `unattend`).',
  'spec.networkInterfaces': 'Only at v1alpha1: the VM\'s network interfaces, shown in later versions as `spec.network.interfaces` named `eth0`, `eth1`...',
  'spec.networkInterfaces.networkType':
    'The kind of network: `nsx-t` (VirtualNetwork), `nsx-t-subnet` (Subnet), `nsx-t-subnetset` (SubnetSet), `vsphere-distributed` (Network), or empty for the namespace\'s default.',
  'spec.networkInterfaces.networkName': 'The network\'s name in the VM\'s namespace (`network.name` in later versions).',
  'spec.networkInterfaces.providerRef': 'An object that provides the interface, from a network provider\'s API. Kept for v1alpha1 clients; not used.',
  'spec.networkInterfaces.providerRef.apiGroup': 'The provider object\'s API group.',
  'spec.networkInterfaces.providerRef.apiVersion': 'The provider object\'s API version.',
  'spec.networkInterfaces.providerRef.kind': 'The provider object\'s kind.',
  'spec.networkInterfaces.providerRef.name': 'The provider object\'s name.',
  'spec.networkInterfaces.ethernetCardType': 'The virtual network card type (`vmxnet3`, `e1000e`...). Kept for v1alpha1 clients; not used.',
  'spec.resourcePolicyName': 'Only at v1alpha1: the VirtualMachineSetResourcePolicy the VM belongs to (`spec.reserved.resourcePolicyName` in later versions).',
  'spec.volumes.vSphereVolume': 'Only at v1alpha1: a disk of the image to resize, instead of a claim. Kept for v1alpha1 clients; not used.',
  'spec.volumes.vSphereVolume.capacity': 'The size wanted, as a map with the key `ephemeral-storage` and a quantity (`20Gi`).',
  'spec.volumes.vSphereVolume.deviceKey': 'The device key of the image\'s disk to resize.',
  'spec.advancedOptions': 'Only at v1alpha1: advanced disk settings (`spec.advanced` in later versions).',
  'spec.advancedOptions.defaultVolumeProvisioningOptions': 'How the VM\'s disks are provisioned (`spec.advanced.defaultVolumeProvisioningMode` in later versions).',
  'spec.advancedOptions.defaultVolumeProvisioningOptions.thinProvisioned': '`true` for thin disks (`Thin`), `false` for thick ones (`Thick`).',
  'spec.advancedOptions.defaultVolumeProvisioningOptions.eagerZeroed': '`true` for thick disks zeroed up front (`ThickEagerZero`); wins over `thinProvisioned`.',
  'spec.advancedOptions.changeBlockTracking': 'Whether changed block tracking is on (`spec.advanced.changeBlockTracking` in later versions).',

  'status.hostName': 'Only at v1alpha1: the host name the guest reports (`status.network.hostName` in later versions).',
  'status.phase':
    'Only at v1alpha1: `Created` once the VM\'s `VirtualMachineCreated` condition is True, `Creating` while it is not, `Unknown` before it exists. `Deleting` and `Deleted` are not used here.',
  'status.conditions.severity': capiSeverity,
  'status.vmIp': 'Only at v1alpha1: the VM\'s main IPv4 address (`status.network.primaryIP4` in later versions).',
  'status.networkInterfaces': 'Only at v1alpha1: the VM\'s interfaces as observed (`status.network.interfaces` in later versions).',
  'status.networkInterfaces.connected': 'Whether the interface is connected; always `true` here.',
  'status.networkInterfaces.macAddress': 'The interface\'s MAC address.',
  'status.networkInterfaces.ipAddresses': 'The interface\'s addresses, with their prefix length.',
};

// VirtualMachineImage and ClusterVirtualMachineImage ---------------------------------------------

/** The fields both image kinds share, by path from the object. */
const imageFields: FieldDescriptions = {
  spec: 'Where the image\'s facts come from.',
  'spec.providerRef': 'The object the image comes from, such as a content library item. An image made by publishing a VM names a new `ContentLibraryItem` `clitem-<hex>`.',
  'spec.providerRef.apiVersion': 'The provider\'s API group and version (`imageregistry.vmware.com/v1alpha1`).',
  'spec.providerRef.kind': 'The provider\'s kind (`ContentLibraryItem`, `ClusterContentLibraryItem`).',
  'spec.providerRef.name': 'The provider object\'s name.',
  'spec.providerRef.namespace': 'Only at v1alpha1: the provider\'s namespace. Not kept in later versions.',
  status: 'The image\'s facts, as its provider (an admin, or a VM publication) gives them.',
  'status.name':
    'The image\'s display name (its library item\'s name). A VM\'s `spec.imageName` may use it instead of the object\'s name when it names one image only.',
  'status.capabilities': 'What the image supports, such as `cloud-init`, `nvidia-gpu` or `sriov-net`.',
  'status.firmware': 'The firmware the image boots with: `BIOS` or `EFI`.',
  'status.hardwareVersion': 'The image\'s virtual hardware version (`19`).',
  'status.osInfo': 'The image\'s guest operating system.',
  'status.osInfo.id': 'The operating system id from the image\'s OVF (a number such as `94`).',
  'status.osInfo.type': 'The guest OS type vSphere uses (`ubuntu64Guest`).',
  'status.osInfo.version': 'The operating system\'s version (`22.04`).',
  'status.ovfProperties': 'The OVF properties a user may set, through `spec.bootstrap.vAppConfig` of a VM, to configure the guest.',
  'status.ovfProperties.key': 'The property\'s key.',
  'status.ovfProperties.type': 'The property\'s type (`string`, `boolean`, `int`...).',
  'status.ovfProperties.default': 'The value the property has when a VM does not set it.',
  'status.vmwareSystemProperties': 'System properties VMware puts on the image (`vmware-system-*` keys), such as those of Tanzu node images.',
  'status.vmwareSystemProperties.key': 'The property\'s key.',
  'status.vmwareSystemProperties.value': 'The property\'s value.',
  'status.productInfo': 'What the image is, as its maker describes it.',
  'status.productInfo.product': 'The product the image holds.',
  'status.productInfo.vendor': 'Who made the image.',
  'status.productInfo.version': 'The image\'s short version.',
  'status.productInfo.fullVersion': 'The image\'s full version.',
  'status.disks': 'The image\'s virtual disks.',
  'status.disks.capacity': 'The disk\'s size as the guest sees it (a quantity).',
  'status.disks.size': 'About how much space the disk\'s data takes (a quantity).',
  'status.providerContentVersion': 'The version of the provider\'s content (the library item\'s) the image shows.',
  'status.providerItemID': 'The id of the provider item (the content library item). A VM publication finds the image it made by it.',
  ...conditionsAt('status.conditions', 'Observations of the image; `Ready` is True when VMs may be deployed from it.'),
  'status.type': 'The kind of library item the image is: `OVF`, `ISO` (for CD-ROM drives) or `VM`.',

  // v1alpha1 kept the facts in spec.
  'spec.type': 'Only at v1alpha1: the image\'s format, `OVF` or `ISO` (`status.type` in later versions).',
  'spec.imageSourceType': 'Only at v1alpha1: where the image comes from (`Content Library`). Not kept in later versions.',
  'spec.imageID': 'Only at v1alpha1: the provider item\'s id (`status.providerItemID` in later versions).',
  'spec.productInfo': 'Only at v1alpha1: what the image is (`status.productInfo` in later versions).',
  'spec.productInfo.product': 'The product the image holds.',
  'spec.productInfo.vendor': 'Who made the image.',
  'spec.productInfo.version': 'The image\'s short version.',
  'spec.productInfo.fullVersion': 'The image\'s full version.',
  'spec.osInfo': 'Only at v1alpha1: the image\'s guest operating system (`status.osInfo` in later versions).',
  'spec.osInfo.type': 'The guest OS type vSphere uses (`ubuntu64Guest`).',
  'spec.osInfo.version': 'The operating system\'s version.',
  'spec.ovfEnv': 'Only at v1alpha1: the image\'s OVF properties, keyed by property key (`status.ovfProperties` in later versions).',
  'spec.hwVersion': 'Only at v1alpha1: the image\'s virtual hardware version (`status.hardwareVersion` in later versions).',
  'status.uuid': 'Only at v1alpha1, deprecated: the library item\'s id. Not filled in here.',
  'status.internalId': 'Only at v1alpha1, deprecated: the image\'s internal id. Not filled in here.',
  'status.powerState': 'Only at v1alpha1, deprecated: the power state of a VM template. Not filled in here.',
  'status.imageName': 'Only at v1alpha1: the image\'s display name (`status.name` in later versions).',
  'status.imageSupported': 'Only at v1alpha1: whether VMs may be deployed from the image. Not filled in here.',
  'status.conditions.severity': capiSeverity,
  'status.contentLibraryRef': 'Only at v1alpha1: the content library the image belongs to. Not filled in here.',
  'status.contentLibraryRef.apiGroup': 'The library\'s API group.',
  'status.contentLibraryRef.kind': 'The library\'s kind.',
  'status.contentLibraryRef.name': 'The library\'s name.',
  'status.contentVersion': 'Only at v1alpha1: the library item\'s content version (`status.providerContentVersion` in later versions).',
};

// VirtualMachineClass ----------------------------------------------------------------------------

const cpuQuantity = 'CPU, a quantity (`1`, `500m`; vSphere counts CPU reservations in MHz).';
const memoryQuantity = 'Memory, a quantity (`4Gi`).';

const classFields: FieldDescriptions = {
  '': 'A size for VMs: vCPUs, memory and reservations. A VM may use only a class of its own namespace (`spec.className`); `kubectl get vmclass` shows CPU and MEMORY.',
  spec: 'The hardware and policies of the VMs that use the class.',
  'spec.controllerName': 'The controller that runs VMs of the class; defaults to `vmoperator.vmware.com/vsphere`. Cannot be cleared once set. Not used here.',
  'spec.hardware': 'The virtual hardware of the VMs of the class.',
  'spec.hardware.cpus': 'The number of vCPUs. A host must have at least as many CPUs to run the VM; checked against a LimitRange\'s `Container` cpu `max`.',
  'spec.hardware.memory': 'The VM\'s memory, a quantity (`4Gi`). A host must have at least as much; checked against a LimitRange\'s `Container` memory `max`.',
  'spec.hardware.devices': 'Devices passed through to the VMs. Kept, not used by the simulated hosts.',
  'spec.hardware.devices.vgpuDevices': 'NVIDIA vGPUs each VM gets.',
  'spec.hardware.devices.vgpuDevices.profileName': 'The vGPU profile (`grid_v100-4q`).',
  'spec.hardware.devices.dynamicDirectPathIODevices': 'PCI devices passed through with Dynamic DirectPath I/O (needs hardware version 17 or later).',
  'spec.hardware.devices.dynamicDirectPathIODevices.vendorID': 'The PCI vendor id of the device.',
  'spec.hardware.devices.dynamicDirectPathIODevices.deviceID': 'The PCI device id of the device.',
  'spec.hardware.devices.dynamicDirectPathIODevices.customLabel': 'A label that tells apart devices with the same ids.',
  'spec.hardware.instanceStorage': 'Local disks each VM gets, on the storage of the host it runs on. Kept, not used here.',
  'spec.hardware.instanceStorage.storageClass': 'The StorageClass of the instance storage; it must be available in the class\'s namespace (unrelated to the VM\'s own `storageClass`).',
  'spec.hardware.instanceStorage.volumes': 'The instance storage volumes each VM gets.',
  'spec.hardware.instanceStorage.volumes.size': 'The volume\'s size, a quantity (`256Gi`).',
  'spec.policies': 'How much of a host\'s resources the VMs are guaranteed and may use.',
  'spec.policies.resources': 'Reservations and limits of CPU and memory.',
  'spec.policies.resources.requests': 'What each VM is guaranteed. The scheduler counts it against a host\'s capacity; vCPUs and memory beyond it are shared.',
  'spec.policies.resources.requests.cpu': `Reserved ${cpuQuantity}`,
  'spec.policies.resources.requests.memory': `Reserved ${memoryQuantity}`,
  'spec.policies.resources.limits': 'The most each VM may use. Not enforced here.',
  'spec.policies.resources.limits.cpu': `The most ${cpuQuantity}`,
  'spec.policies.resources.limits.memory': `The most ${memoryQuantity}`,
  'spec.description': 'Free text about the class for its users.',
  'spec.configSpec': 'More settings for the VMs, as a vSphere `VirtualMachineConfigSpec` in JSON (with `_typeName` fields). Kept, not applied by the simulated hosts.',
  'spec.reservedProfileID': 'The reservation profile the class belongs to. Not used here.',
  'spec.reservedSlots': 'How many VMs of the class are reserved for, with `reservedProfileID`. Not used here.',
  status: 'Empty: the class reports nothing.',
};

// VirtualMachineService --------------------------------------------------------------------------

const serviceFields: FieldDescriptions = {
  '':
    'A load-balanced address for the VMs of a namespace that carry given labels, as a core Service is for pods. Here the elected vm-operator runs a TCP load balancer per port over the ready VMs and keeps an Endpoints object of the same name.',
  spec: 'The service\'s type, ports and selector.',
  'spec.type':
    '`LoadBalancer` (a cluster IP in `spec.clusterIp` and an ingress address in `status.loadBalancer.ingress`), `ClusterIP` (a cluster IP in `spec.clusterIp`) or `ExternalName` (no proxy, no DNS name here). Required; immutable.',
  'spec.ports': 'The ports the service listens on. Required unless the type is `ExternalName` or the service is headless.',
  'spec.ports.name': 'The port\'s name, unique in the service; required.',
  'spec.ports.protocol': '`TCP` or `UDP`. The load balancer here forwards TCP connections.',
  'spec.ports.port': 'The port the service listens on at its address.',
  'spec.ports.targetPort': 'The port on the VMs that connections are forwarded to.',
  'spec.selector':
    'Labels, key for value, a VM must carry to back the service. A VM with a readiness probe gets traffic while `Ready` is True, one without once it has an address.',
  'spec.loadBalancerIP': 'An address asked of the load balancer provider, where it supports it. Ignored here: addresses come from the cluster\'s load balancer range.',
  'spec.loadBalancerSourceRanges': 'Client networks (CIDRs such as `10.0.0.0/24`) the load balancer should accept, where the provider supports it. Not enforced here.',
  'spec.clusterIp':
    'The service\'s cluster IP: assigned once from the cluster\'s service range (SERVICE_CIDR), as its core Service\'s, or `None` for a headless service that gets no proxy. Immutable once set.',
  'spec.externalName': 'The DNS name a service of type `ExternalName` stands for. Such a service gets no proxy and no DNS record here.',
  status: 'The service\'s load balancer, once it has one.',
  'status.loadBalancer': 'The load balancer of a `LoadBalancer` service.',
  'status.loadBalancer.ingress': 'Where clients reach the service.',
  'status.loadBalancer.ingress.ip': 'The ingress address: the cluster IP\'s offset in the load balancer range (LOADBALANCER_CIDR); a connection to it at a service port reaches a ready VM.',
  'status.loadBalancer.ingress.hostname': 'A DNS name of the ingress point, for providers that give one. Not set here.',
};

// VirtualMachineSetResourcePolicy ----------------------------------------------------------------

const policyFields: FieldDescriptions = {
  '':
    'Resources and placement shared by a set of VMs, such as the node VMs of a Tanzu cluster, that name it in `spec.reserved.resourcePolicyName`. Here its VMs are spread over hosts; the resource pool\'s reservations and limits are not enforced.',
  spec: 'The resource pool, folder and cluster-module groups of the policy\'s VMs.',
  'spec.resourcePool': 'A vSphere child resource pool for the policy\'s VMs.',
  'spec.resourcePool.name': 'The resource pool\'s name.',
  'spec.resourcePool.reservations': 'CPU and memory guaranteed to the pool.',
  'spec.resourcePool.reservations.cpu': `Reserved ${cpuQuantity}`,
  'spec.resourcePool.reservations.memory': `Reserved ${memoryQuantity}`,
  'spec.resourcePool.limits': 'The most CPU and memory the pool may use.',
  'spec.resourcePool.limits.cpu': `The most ${cpuQuantity}`,
  'spec.resourcePool.limits.memory': `The most ${memoryQuantity}`,
  'spec.folder': 'The vSphere VM folder the policy\'s VMs go in (at v1alpha1 an object with its `name`). Not used here.',
  'spec.clusterModuleGroups':
    'Names of cluster-module groups: the VMs of one group (annotation `vsphere-cluster-module-group`, as Cluster API sets it) are spread over different hosts where possible.',
  status: 'The vSphere objects made for the policy.',
  'status.clustermodules': 'The vSphere cluster modules made for the groups. Not reported here.',
  'status.clustermodules.groupName': 'The group\'s name, from `spec.clusterModuleGroups`.',
  'status.clustermodules.moduleUUID': 'The cluster module\'s id in vCenter.',
  'status.clustermodules.clusterMoID': 'The managed object id of the vSphere cluster the module is in.',
  'status.resourcePools': 'The child resource pools made for `spec.resourcePool`, one per vSphere cluster. Not reported here.',
  'status.resourcePools.clusterMoID': 'The managed object id of the vSphere cluster.',
  'status.resourcePools.childResourcePoolMoID': 'The managed object id of the child resource pool in that cluster.',
  // v1alpha1 spelled the keys in lower case.
  'spec.resourcepool': 'Only at v1alpha1: the resource pool (`spec.resourcePool` in later versions).',
  'spec.resourcepool.name': 'The resource pool\'s name.',
  'spec.resourcepool.reservations': 'CPU and memory guaranteed to the pool.',
  'spec.resourcepool.reservations.cpu': `Reserved ${cpuQuantity}`,
  'spec.resourcepool.reservations.memory': `Reserved ${memoryQuantity}`,
  'spec.resourcepool.limits': 'The most CPU and memory the pool may use.',
  'spec.resourcepool.limits.cpu': `The most ${cpuQuantity}`,
  'spec.resourcepool.limits.memory': `The most ${memoryQuantity}`,
  'spec.folder.name': 'The folder\'s name.',
  'spec.clustermodules': 'Only at v1alpha1: the cluster-module groups (`spec.clusterModuleGroups` in later versions).',
  'spec.clustermodules.groupname': 'The group\'s name.',
  'status.clustermodules.groupname': 'Only at v1alpha1: the group\'s name (`groupName` in later versions).',
};

// VirtualMachinePublishRequest -------------------------------------------------------------------

const publishSource: FieldDescriptions = {
  name: 'The VM\'s name; defaults to the request\'s name.',
  apiVersion: 'The source\'s API group and version; defaults to `vmoperator.vmware.com/v1alpha5`.',
  kind: 'The source\'s kind: only `VirtualMachine` (the default).',
};

const publishTarget: FieldDescriptions = {
  item: 'The library item to make.',
  'item.name': 'The item\'s name in the library (the new image\'s display name); defaults to `<source>-image`. No image of the namespace may have it already.',
  'item.description': 'A description of the item. Kept only in the request here.',
  location: 'The library to publish into.',
  'location.name': 'The ContentLibrary\'s name; defaults to the namespace\'s library labelled `imageregistry.vmware.com/default`. It must be writable.',
  'location.apiVersion': 'The library\'s API group and version; defaults to `imageregistry.vmware.com/v1alpha1`.',
  'location.kind': 'The library\'s kind: only `ContentLibrary` (the default).',
};

const publishFields: FieldDescriptions = {
  '':
    'Publishes a VM as a new image of a content library. Every field is optional: a request named after a VM publishes it as `<vm>-image` into the namespace\'s default library. The image is a VirtualMachineImage `vmi-<hex>` of the namespace and outlives the request.',
  spec: 'What to publish and where. `source` and `target` are immutable.',
  'spec.source': 'The VM to publish.',
  ...describedUnder('spec.source', publishSource),
  'spec.target': 'Where to publish: the item to make and the library.',
  ...describedUnder('spec.target', publishTarget),
  'spec.ttlSecondsAfterFinished': 'Seconds after `completionTime` after which the finished request is deleted (the image stays); kept when unset. Not negative.',
  'spec.backoffLimit': 'How many upload attempts are allowed before the request fails. Not negative; uploads here do not fail, so it is never reached.',
  status: 'How the publication is going.',
  'status.sourceRef': 'The VM being published, with the defaults filled in.',
  ...describedUnder('status.sourceRef', { name: 'The VM\'s name.', apiVersion: 'The VM\'s API group and version.', kind: 'The kind, `VirtualMachine`.' }),
  'status.targetRef': 'The item and library published to, with the defaults filled in.',
  ...describedUnder('status.targetRef', {
    item: 'The library item.',
    'item.name': 'The item\'s name.',
    'item.description': 'The item\'s description.',
    location: 'The library.',
    'location.name': 'The ContentLibrary\'s name.',
    'location.apiVersion': 'The library\'s API group and version.',
    'location.kind': 'The kind, `ContentLibrary`.',
  }),
  'status.startTime': 'When the vm-operator took up the request (RFC 3339, UTC).',
  'status.completionTime': 'When the publication completed: the time `Complete` became True.',
  'status.attempts': 'How many times the upload was attempted.',
  'status.lastAttemptTime': 'When the upload was last attempted.',
  'status.imageName': 'The name of the VirtualMachineImage made (`vmi-<hex>`), once it exists.',
  'status.ready': '`true` once the VM is published and its image is ready (every condition True).',
  ...conditionsAt(
    'status.conditions',
    '`SourceValid`, `TargetValid`, then `Uploaded` and `ImageAvailable` once an upload happened, and always `Complete`. A False condition\'s reason says what is wrong (`SourceVirtualMachineNotExist`, `TargetContentLibraryNotWritable`, `TargetItemAlreadyExists`...).',
  ),
  'status.conditions.severity': capiSeverity,
};

// VirtualMachineReplicaSet -----------------------------------------------------------------------

const replicaSetFields: FieldDescriptions = {
  '':
    'Keeps `replicas` VMs made from one template, as a ReplicaSet keeps pods: it creates VMs named `<set>-<random>`, adopts matching VMs without a controller and deletes extras. `kubectl scale vmrs` works through its scale subresource.',
  spec: 'How many VMs, which ones count, and what new ones are made of.',
  'spec.replicas': 'How many VMs the set keeps; defaults to 1, not negative.',
  'spec.deletePolicy': 'Which VMs go first when scaling down: only `Random` (VMs that are not ready first, then at random).',
  'spec.selector': 'Labels of the VMs the set counts and adopts. It must match the template\'s labels; a set without a selector matches nothing.',
  ...describedUnder('spec.selector', labelSelectorFields),
  'spec.template': 'What each new VM is made of. Changing it does not touch existing VMs.',
  'spec.template.metadata': 'Labels and annotations of each new VM; other metadata is not kept.',
  'spec.template.metadata.labels': 'Labels each new VM carries (with `vmoperator.vmware.com/replicaset-name: <set>`); they must match `spec.selector`.',
  'spec.template.metadata.annotations': 'Annotations each new VM carries.',
  ...describedUnder('spec.template.spec', vmSpecFields),
  'spec.template.spec':
    'The VirtualMachine spec each new VM gets, checked as a VM\'s would be (causes named under `spec.template.spec`). New VMs also get the VM defaults (`PoweredOn`, `TrySoft`).',
  status: 'The set\'s VMs as last counted.',
  'status.replicas': 'How many VMs the set has (not being deleted).',
  'status.fullyLabeledReplicas': 'How many of them carry all the template\'s labels.',
  'status.readyReplicas': 'How many are ready: a VM with a readiness probe by its `Ready` condition, one without once `PoweredOn`.',
  'status.observedGeneration': 'The `metadata.generation` of the set the status was worked out for.',
  ...conditionsAt(
    'status.conditions',
    '`VirtualMachinesCreated` (False `VirtualMachineCreationFailed`), `Resized` (False `ScalingUp` or `ScalingDown`), `VirtualMachinesReady` (False `VirtualMachinesNotReady`) and `Ready`, which sums them up.',
  ),
};

// VirtualMachineSnapshot -------------------------------------------------------------------------

const snapshotRef = (where: string): FieldDescriptions => ({
  '': where,
  type: '`Managed` (a VirtualMachineSnapshot) or `Unmanaged` (taken outside the Supervisor; never shown here).',
  name: 'The VirtualMachineSnapshot\'s name, for a managed snapshot.',
});

const snapshotFields: FieldDescriptions = {
  '':
    'A point-in-time snapshot of a VM; setting the VM\'s `spec.currentSnapshotName` reverts it. Here a snapshot keeps the VM\'s spec, power state, labels and annotations, not its disks\' or memory\'s contents. Deleting the VM deletes its snapshots.',
  spec: 'The VM and how to take the snapshot. Only `description` may change.',
  'spec.memory': 'Whether the running state is kept: with it the snapshot has the VM\'s power state, without it `PoweredOff`. A suspended VM\'s always has its memory.',
  'spec.quiesce': 'Quiesce the guest\'s file systems through VMware Tools while the snapshot is taken, so that they are consistent; only when the VM is running.',
  'spec.quiesce.timeout': 'The longest the quiesced snapshot may take, a duration (`10m`; 5 to 240 minutes). Not checked here.',
  'spec.description': 'Free text about the snapshot; the only field that may change.',
  'spec.vmName': 'The VM of the namespace to snapshot; required. The snapshot is labelled `snapshot.vmoperator.vmware.com/vm-name` with it.',
  status: 'The snapshot as taken.',
  'status.powerState': 'The power state the VM is reverted to: the VM\'s at the time with `memory`, else `PoweredOff` (`Suspended` for a suspended VM).',
  'status.quiesced': 'Whether the guest was quiesced when the snapshot was taken.',
  'status.uniqueID': 'The snapshot\'s id on its platform (`snapshot-<n>` here).',
  ...describedUnder('status.children', snapshotRef('The snapshots taken after this one, while it was the VM\'s current snapshot.')),
  ...conditionsAt(
    'status.conditions',
    '`VirtualMachineSnapshotCreated`, `VirtualMachineSnapshotCSISynced` and `VirtualMachineSnapshotReady`. Without its VM the snapshot stays not ready (`VirtualMachineSnapshotWaitingForCreation`).',
  ),
  'status.storage': 'The storage the snapshot takes.',
  'status.storage.used': 'The space the snapshot takes, without the claims\' volumes.',
  'status.storage.requested': 'The space the snapshot asks for, per storage class: its memory image and the VM\'s volumes.',
  'status.storage.requested.storageClass': 'The storage class.',
  'status.storage.requested.total': 'The space asked for in that storage class (a quantity).',
};

// VirtualMachineGroup ----------------------------------------------------------------------------

const memberKind = '`VirtualMachine` (the default) or `VirtualMachineGroup` (a nested group).';

const groupFields: FieldDescriptions = {
  '':
    'VMs, and other groups, powered together: on in boot order, off or suspended all at once. A VM or group joins by naming the group in its `spec.groupName` and being listed in the group\'s boot order; the group then owns it.',
  spec: 'The group\'s members, their boot order and the power state for all of them.',
  'spec.groupName': 'The parent VirtualMachineGroup this group belongs to; the parent must also list it. A group cannot be its own member or parent.',
  'spec.bootOrder':
    'The power-on sequence: each entry\'s members are powered on together, after its `powerOnDelay`, and the delays add up. Powering off or suspending acts on every member at once.',
  'spec.bootOrder.members': 'The VMs and groups of this entry, in the group\'s namespace. Each member may appear only once in the whole boot order; it need not exist yet.',
  'spec.bootOrder.members.name': 'The member\'s name.',
  'spec.bootOrder.members.kind': memberKind,
  'spec.bootOrder.powerOnDelay': 'How long after the previous entry this entry\'s members are powered on, a duration (`30s`); at once when omitted.',
  'spec.powerState':
    'The power state of every member: `PoweredOn`, `PoweredOff` or `Suspended`. Leave it out at first to keep the members as they are; once set it cannot be cleared.',
  'spec.nextForcePowerStateSyncTime':
    'Set to `now` to apply the group\'s power state to every member again; admission replaces it with the time of the request. No other value is accepted.',
  'spec.powerOffMode': 'How members are powered off (`Hard`, `Soft`, `TrySoft`): copied to the members with the power state.',
  'spec.suspendMode': 'How members are suspended (`Hard`, `Soft`, `TrySoft`): copied to the members with the power state.',
  status: 'How the group\'s members stand.',
  'status.members': 'Every member of the boot order, and how it stands.',
  'status.members.name': 'The member\'s name.',
  'status.members.kind': memberKind,
  'status.members.uid': 'The member\'s uid, once it exists.',
  'status.members.placement': 'Where group placement recommends putting a VM member. Not reported here: the scheduler places each VM.',
  'status.members.placement.name': 'The VM member\'s name.',
  'status.members.placement.zoneID': 'The zone recommended for the VM.',
  'status.members.placement.node': 'The host recommended for the VM.',
  'status.members.placement.pool': 'The resource pool recommended for the VM.',
  'status.members.placement.datastores': 'The datastores recommended for the VM\'s files and disks.',
  'status.members.placement.datastores.name': 'The datastore\'s name.',
  'status.members.placement.datastores.id': 'The datastore\'s id.',
  'status.members.placement.datastores.url': 'The datastore\'s URL.',
  'status.members.placement.datastores.supportedDiskFormats': 'The disk formats the datastore supports.',
  'status.members.placement.datastores.diskKey': 'The device key of the disk the recommendation is for; empty for the VM\'s home directory.',
  'status.members.powerState': 'The VM member\'s observed power state.',
  ...conditionsAt(
    'status.members.conditions',
    '`GroupLinked` (the member exists and names this group; False `NotFound` or `NotMember`), for a VM `PowerStateSynced` and `PlacementReady`, for a nested group `Ready`.',
  ),
  'status.lastUpdatedPowerStateTime': 'The stamp (whole seconds) of the power state change the group last finished applying to all its members.',
  ...conditionsAt('status.conditions', '`Ready`: True when every member\'s conditions are True, else False `MembersNotReady`, with a message naming a member that is not.'),
};

// VirtualMachineGroupPublishRequest --------------------------------------------------------------

const groupPublishFields: FieldDescriptions = {
  '':
    'Publishes the VMs of a VirtualMachineGroup as images of a content library, through one VirtualMachinePublishRequest per VM. Every field is optional: a request named after a group publishes all its VMs into the namespace\'s default library.',
  spec: 'What to publish and where; filled in at create, then immutable.',
  'spec.source': 'The VirtualMachineGroup to publish; defaults to the request\'s name.',
  'spec.target': 'The ContentLibrary of the namespace to publish into; defaults to the one labelled `imageregistry.vmware.com/default`.',
  'spec.ttlSecondsAfterFinished': 'Seconds after `completionTime` after which the complete request is deleted (the images stay); kept when unset. Not negative.',
  'spec.virtualMachines':
    'The group\'s VMs to publish (direct members or through nested groups), each once; defaults to every linked VM of the group, sorted. Each becomes the item `<request>-<vm>`.',
  status: 'How the publication is going.',
  'status.source': 'The group being published.',
  'status.target': 'The library published to.',
  'status.startTime': 'When the vm-operator took up the request (RFC 3339, UTC).',
  'status.completionTime': 'When every VM was published: the time `Complete` became True.',
  'status.images': 'One entry per VM, in the order of `spec.virtualMachines`.',
  'status.images.source': 'The VM published.',
  'status.images.publishRequestName': 'The VirtualMachinePublishRequest made for the VM (`<request>-<random>`).',
  'status.images.imageName': 'The VirtualMachineImage made, once it exists.',
  ...conditionsAt('status.images.conditions', 'A copy of the conditions of the VM\'s publish request.'),
  ...conditionsAt(
    'status.conditions',
    '`Complete`: False `VirtualMachinePublishRequestsPending` until every VM\'s publish request is ready, then True.',
  ),
};

// ContentLibrary ---------------------------------------------------------------------------------

const contentLibraryFields: FieldDescriptions = {
  '':
    'A content library of the namespace, the place VMs are published to. Its items are ContentLibraryItems, each named by the `providerRef` of a VirtualMachineImage of the namespace; deleting the library deletes them and their images. The one labelled `imageregistry.vmware.com/default` is the namespace\'s default target.',
  spec: 'Which vSphere library it is and whether it takes new items.',
  'spec.uuid': 'The library\'s id in vCenter; required.',
  'spec.writable': 'Whether VMs may be published into the library; a publish request to one that is not fails with `TargetContentLibraryNotWritable`.',
  status: 'The library\'s state.',
  ...conditionsAt('status.conditions', 'Observations of the library. None are written here: libraries have no `Ready` condition.'),
};

// VirtualMachineWebConsoleRequest and WebConsoleRequest ------------------------------------------

/** Both kinds' fields but the VM's name, which `vmField` holds. */
function webConsoleFields(vmField: string): FieldDescriptions {
  return {
    '':
      'A request for a one-time ticket to a VM\'s console (`kubectl vsphere vm web-console`). The vm-operator answers it with the ticket URL encrypted with the request\'s key; the ticket opens one console session through the gateway, and the request is deleted once it expires.',
    spec: 'Which VM and the key to encrypt the answer with. Immutable.',
    [`spec.${vmField}`]: 'The VM of the request\'s namespace whose console is wanted. Required. A VM that does not exist yet is accepted: the request waits for it, with a `VirtualMachine Not Found` Warning.',
    'spec.publicKey':
      'An RSA public key, PEM-encoded, its first block a `PUBLIC KEY` holding the PKCS#1 key (`openssl rsa -RSAPublicKey_out`, the block renamed). Required; any other key is refused (422).',
    status: 'The answer, written once by the vm-operator.',
    'status.response':
      'The ticket URL `wss://<proxyAddr>/ticket/<ticket>`, encrypted with `spec.publicKey` (RSA-OAEP with SHA-512) and base64-encoded. Only the holder of the private key can read it.',
    'status.expiryTime': 'When the ticket stops being accepted and the request is deleted: by default two minutes after it was issued (RFC 3339, whole seconds).',
    'status.proxyAddr': 'Where clients reach the console: the first address and https port of the `default/kubernetes` Endpoints.',
  };
}

/** Field descriptions by kind (descriptionKey). */
export const vmoperatorDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey(VMOP, 'VirtualMachine')]: {
    '':
      'A virtual machine, as VM Operator on vSphere with Tanzu serves it: deployed from an image, sized by a class, placed on a host by the scheduler and run there by the host\'s agent. Deleting it powers it off and destroys it.',
    ...describedUnder('spec', vmSpecFields),
    ...describedUnder('status', vmStatusFields),
    ...vmV1alpha1Fields,
  },
  [descriptionKey(VMOP, 'VirtualMachineClass')]: classFields,
  [descriptionKey(VMOP, 'VirtualMachineImage')]: {
    '': 'An image VMs of its namespace are deployed from (`spec.imageName` of a VM), such as an OVF of a content library. Publishing a VM makes one.',
    ...imageFields,
  },
  [descriptionKey(VMOP, 'ClusterVirtualMachineImage')]: {
    '': 'An image VMs of every namespace may be deployed from; a VM\'s `spec.imageName` finds it when its namespace has no VirtualMachineImage of that name.',
    ...imageFields,
  },
  [descriptionKey(VMOP, 'VirtualMachineService')]: serviceFields,
  [descriptionKey(VMOP, 'VirtualMachineSetResourcePolicy')]: policyFields,
  [descriptionKey(VMOP, 'VirtualMachinePublishRequest')]: publishFields,
  [descriptionKey(VMOP, 'VirtualMachineReplicaSet')]: replicaSetFields,
  [descriptionKey(VMOP, 'VirtualMachineSnapshot')]: snapshotFields,
  [descriptionKey(VMOP, 'VirtualMachineGroup')]: groupFields,
  [descriptionKey(VMOP, 'VirtualMachineGroupPublishRequest')]: groupPublishFields,
  [descriptionKey(VMOP, 'VirtualMachineWebConsoleRequest')]: webConsoleFields('name'),
  [descriptionKey(VMOP, 'WebConsoleRequest')]: {
    ...webConsoleFields('virtualMachineName'),
    '': 'The v1alpha1 kind of VirtualMachineWebConsoleRequest, deprecated: the same request, its VM named by `spec.virtualMachineName`, answered alike.',
  },
  [descriptionKey(IMAGE_REGISTRY, 'ContentLibrary')]: contentLibraryFields,
};
