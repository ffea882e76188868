import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

const TOPOLOGY = 'topology.tanzu.vmware.com';

const notActedOn = 'Stored as written; nothing here acts on it.';

/** A namespace's vSphere folder, pools and clusters in one zone (ZoneEntity), by path from it; `what` says whose. */
function zoneEntity(what: string): FieldDescriptions {
  return {
    '': what,
    clusterMoIDs: 'The vSphere clusters of the zone. Here a host stands for a cluster: the names of the hosts labelled with the zone.',
    folderMoID: 'The vSphere folder of the namespace. There are no folders here: the vm-operator writes the Namespace\'s uid.',
    poolMoIDs: 'The resource pools of the namespace in the zone. There are no pools here: the vm-operator writes `<namespace uid>/<zone>`.',
  };
}

/** A limit and a reservation (ResourceAllocation), by path from it; `what` says of which resource. */
function allocation(what: string): FieldDescriptions {
  return {
    '': what,
    limit: 'The most the namespace may use in the zone, even when more is free; no limit when unset. Hertz for CPU, bytes for memory.',
    reservation: 'What is guaranteed to the namespace in the zone. Hertz for CPU, bytes for memory.',
  };
}

const reservationFields: FieldDescriptions = {
  count: 'How many VMs of the class. Required.',
  reservedVmClass: 'The VirtualMachineClass reserved. Required.',
};

const conditionFields: FieldDescriptions = {
  type: 'The name of the condition, unique in the list.',
  status: '`True`, `False` or `Unknown`: whether the condition holds.',
  observedGeneration: "The Zone's `metadata.generation` the condition was worked out for.",
  lastTransitionTime: 'When `status` last changed (RFC 3339, UTC).',
  reason: 'A one-word CamelCase cause for programs to match on.',
  message: 'A human-readable explanation of the condition; may be empty.',
};

const availabilityZoneFields: FieldDescriptions = {
  '':
    'A vSphere Zone of the Supervisor: here, the hosts whose `topology.kubernetes.io/zone` label has one value. The vm-operator keeps one per such value (labelled `app.kubernetes.io/managed-by: vm-operator`) and deletes it when no host is left in the zone; every namespace is offered a Zone of each. An admin may create one too, which the vm-operator offers but never changes or deletes.',
  spec: 'The zone\'s hosts and the namespaces bound to it. The vm-operator rewrites a managed zone\'s spec as hosts and Zones come and go.',
  'spec.clusterComputeResourceMoId': 'The one vSphere cluster of the zone, the field before `clusterComputeResourceMoIDs`. Stored, never written by the vm-operator.',
  'spec.clusterComputeResourceMoIDs': 'The vSphere clusters of the zone. Here a host stands for a cluster: the names of the hosts labelled with the zone, sorted.',
  'spec.namespaces':
    'Each namespace that has a Zone of this zone, by name: its vSphere folder (`folderMoId`, the Namespace\'s uid here) and resource pools (`poolMoIDs`, `<namespace uid>/<zone>`; `poolMoId` is the older single pool, not written).',
  status: 'Empty: the kind has no status fields.',
};

const zoneFields: FieldDescriptions = {
  '':
    'A vSphere Zone a namespace\'s workloads may run in, named after its AvailabilityZone. The vm-operator gives every namespace (but `kube-*` and `vmware-system-*`) a Zone of each AvailabilityZone; while a namespace has Zones its VMs and pods are placed only on their hosts, and a VM\'s `topology.kubernetes.io/zone` label must name one. Deleting a Zone takes the namespace out of the zone for good; creating it again puts it back.',
  spec: 'Which AvailabilityZone, and the namespace\'s vSphere objects and allowances in it. Only `availabilityZoneReference` and `namespace` are used here; the rest is stored and not enforced.',
  ...describedUnder('spec.availabilityZoneReference', {
    '': 'The AvailabilityZone this Zone is of: the scheduler places the namespace\'s workloads on its hosts. Required.',
    apiVersion: 'The AvailabilityZone\'s API version, `topology.tanzu.vmware.com/v1alpha1`. Required.',
    name: 'The AvailabilityZone\'s name, which is the zone\'s name. Required.',
  }),
  ...describedUnder('spec.namespace', zoneEntity('The namespace\'s clusters, folder and pools in the zone, kept up to date by the vm-operator on the Zones it made.')),
  ...describedUnder('spec.managedVMs', zoneEntity(`The clusters, folder and pools of the namespace's VMs in the zone. ${notActedOn}`)),
  ...describedUnder('spec.vSpherePods', zoneEntity(`The clusters, folder and pools of the namespace's pods in the zone. ${notActedOn}`)),
  'spec.allowedClusterComputeResourceMoIDs': `The vSphere clusters of the zone the namespace's workloads may go to; every cluster of the zone when empty. ${notActedOn}`,
  ...describedUnder('spec.cpu', allocation(`The CPU limit and reservation (hertz) wanted for the namespace in the zone, besides what reserved VM classes take. ${notActedOn}`)),
  ...describedUnder('spec.memory', allocation(`The memory limit and reservation (bytes) wanted for the namespace in the zone, besides what reserved VM classes take. ${notActedOn}`)),
  'spec.overheadMemoryProvidedBy': `Whose memory the workloads' overhead memory comes from: \`System\` or \`Namespace\` (the namespace's reservation). ${notActedOn}`,
  'spec.disallowUnreservedDirectPathUsage': `Whether only workloads of a reserved VM class may use DirectPath (passthrough) devices. ${notActedOn}`,
  ...describedUnder('spec.virtualMachineReservations', { '': `How many VMs of which classes are to be reserved for the namespace in the zone. ${notActedOn}`, ...reservationFields }),
  status: 'What vCenter realized of the spec. Nothing writes it here; it is stored as written.',
  ...describedUnder('status.conditions', { '': 'Observations of the Zone. None are written here.', ...conditionFields }),
  ...describedUnder('status.cpu', allocation('The CPU limit and reservation (hertz) realized for the namespace in the zone. Not written here.')),
  ...describedUnder('status.memory', allocation('The memory limit and reservation (bytes) realized for the namespace in the zone. Not written here.')),
  'status.disallowUnreservedDirectPathUsage': 'Whether the DirectPath setting of the spec is in force. Not written here.',
  'status.markedForRemoval': 'Whether the zone is being taken from the namespace. Not written here: a Zone being deleted has its `metadata.deletionTimestamp` set instead.',
  ...describedUnder('status.virtualMachineReservations', { '': 'The VM class reservations realized in the zone. Not written here.', ...reservationFields }),
};

/** Field descriptions by kind (descriptionKey). */
export const topologyDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey(TOPOLOGY, 'AvailabilityZone')]: availabilityZoneFields,
  [descriptionKey(TOPOLOGY, 'Zone')]: zoneFields,
};
