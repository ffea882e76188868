import { AVAILABILITY_ZONES_RESOURCE, HOSTS_RESOURCE, ObjectEventTypes, objectStreamId, rfc3339, ZONES_RESOURCE } from '@openpacific/contracts';
import { EventStore, StreamAppend } from '@openpacific/event-store';
import { controllerReadModel, feedPassLoop, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { PassSteps } from '../pass-steps';
import { R } from '../vms/vm-resources';
import { availabilityZoneSpec, managed, namespaceOffer, newTopologyObject, newZone, SYSTEM_NAMESPACE, withOffered, zoneNamespaceEntity, zonesOfHosts } from './zone-offers';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };

/**
 * vSphere Zones (in the elected vm-operator), as the Supervisor keeps them: one AvailabilityZone per zone of the
 * registered hosts (their `topology.kubernetes.io/zone` label), made and deleted as hosts come and go; and in every
 * namespace a Zone of each AvailabilityZone it was not offered before (the Supervisor binds a namespace to every
 * zone). The zones offered are remembered on the Namespace (annotation `topology.openpacific.io/offered-zones`),
 * written in the same transaction as the Zones, so a Zone an admin deletes is not made again. AvailabilityZones and
 * Zones an admin made are left as they are.
 */
export class ZoneController {
  private readonly model = controllerReadModel([HOSTS_RESOURCE, R.namespaces, AVAILABILITY_ZONES_RESOURCE, ZONES_RESOURCE]);
  private readonly loop: PassLoop;
  private readonly steps: PassSteps;

  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger }) {
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'zone', logger: deps.logger });
    this.steps = new PassSteps(deps.logger, 'keeping');
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const hostZones = zonesOfHosts(this.model.list(HOSTS_RESOURCE).map((s) => s.object));
    await this.steps.attempt('availability zones', '', () => this.availabilityZones(hostZones));
    const live = this.model.list(AVAILABILITY_ZONES_RESOURCE).filter((s) => !s.object.metadata.deletionTimestamp).map((s) => s.object.metadata.name);
    for (const { object: namespace } of this.model.list(R.namespaces)) {
      const name = namespace.metadata.name;
      if (namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating' || SYSTEM_NAMESPACE.test(name)) continue;
      await this.steps.attempt('namespace zones', name, () => this.namespaceZones(namespace, live, hostZones));
    }
    this.steps.finish(() => this.loop.schedule());
  }


  /** An AvailabilityZone per zone of the hosts, its spec kept; managed ones of a zone no host is in any more deleted. */
  private async availabilityZones(hostZones: Map<string, string[]>): Promise<void> {
    const bound = new Map<string, any[]>();
    for (const { object: zone } of this.model.list(ZONES_RESOURCE)) {
      if (zone.metadata.deletionTimestamp) continue;
      const namespace = this.model.get(R.namespaces, undefined, zone.metadata.namespace)?.object;
      const az: string = zone.spec?.availabilityZoneReference?.name ?? zone.metadata.name;
      if (namespace) bound.set(az, [...(bound.get(az) ?? []), namespace]);
    }
    const writes: StreamAppend[] = [];
    for (const [zone, hosts] of hostZones) {
      const spec = availabilityZoneSpec(zone, hosts, bound.get(zone) ?? []);
      const stored = this.model.get(AVAILABILITY_ZONES_RESOURCE, undefined, zone);
      if (!stored) writes.push(this.created(AVAILABILITY_ZONES_RESOURCE, newTopologyObject('AvailabilityZone', zone, undefined, spec)));
      else if (managed(stored.object) && !stored.object.metadata.deletionTimestamp && !sameJson(spec, stored.object.spec ?? {})) writes.push(this.specUpdated(AVAILABILITY_ZONES_RESOURCE, stored, spec));
    }
    for (const stored of this.model.list(AVAILABILITY_ZONES_RESOURCE)) {
      if (managed(stored.object) && !hostZones.has(stored.object.metadata.name)) writes.push(...this.removed(AVAILABILITY_ZONES_RESOURCE, stored));
    }
    if (writes.length) await this.deps.store.appendBatch(writes);
  }

  /** The namespace's Zones and its offered zones, in one transaction. */
  private async namespaceZones(namespace: any, availabilityZones: string[], hostZones: Map<string, string[]>): Promise<void> {
    const ns = namespace.metadata.name;
    const zones = new Map(this.model.list(ZONES_RESOURCE, ns).map((s) => [s.object.metadata.name, s]));
    const offer = namespaceOffer(namespace, availabilityZones, new Map([...zones].map(([name, s]) => [name, s.object])));
    const writes: StreamAppend[] = [];
    for (const zone of offer.create) writes.push(this.created(ZONES_RESOURCE, newZone(zone, hostZones.get(zone) ?? [], namespace)));
    for (const zone of offer.remove) writes.push(...this.removed(ZONES_RESOURCE, zones.get(zone)!));
    for (const [name, stored] of zones) {
      const zone = stored.object;
      if (!managed(zone) || zone.metadata.deletionTimestamp || offer.remove.includes(name) || !availabilityZones.includes(name)) continue;
      const entity = zoneNamespaceEntity(name, hostZones.get(name) ?? [], namespace);
      if (!sameJson(entity, zone.spec?.namespace ?? {})) writes.push(this.specUpdated(ZONES_RESOURCE, stored, { ...zone.spec, namespace: entity }));
    }
    if (offer.changed) {
      const stored = this.model.get(R.namespaces, undefined, ns)!;
      writes.push(this.append(R.namespaces, withOffered(namespace, offer.offered), ObjectEventTypes.updated, stored.streamVersion));
    }
    if (writes.length) await this.deps.store.appendBatch(writes);
  }

  private created(resource: string, object: any): StreamAppend {
    return this.append(resource, object, ObjectEventTypes.created, this.model.streamVersion(resource, object.metadata.namespace, object.metadata.name));
  }

  private specUpdated(resource: string, stored: StoredObject, spec: any): StreamAppend {
    const object = stored.object;
    const metadata = { ...object.metadata, generation: (object.metadata.generation ?? 1) + 1 };
    return this.append(resource, { ...object, metadata, spec }, ObjectEventTypes.updated, stored.streamVersion);
  }

  /** Deleted at once, or marked for deletion when a finalizer (an admin's) holds it. */
  private removed(resource: string, stored: StoredObject): StreamAppend[] {
    const object = stored.object;
    if (object.metadata.deletionTimestamp) return [];
    if (!(object.metadata.finalizers ?? []).length) return [this.append(resource, object, ObjectEventTypes.deleted, stored.streamVersion)];
    const metadata = { ...object.metadata, deletionTimestamp: rfc3339() };
    return [this.append(resource, { ...object, metadata }, ObjectEventTypes.deletionStarted, stored.streamVersion)];
  }

  private append(resource: string, object: any, type: string, expectedVersion: number): StreamAppend {
    const next = { ...object, metadata: { ...object.metadata } };
    delete next.metadata.resourceVersion;
    const { namespace, name } = next.metadata;
    return { streamId: objectStreamId(resource, namespace, name), events: [{ type, data: { resource, object: next }, metadata: ACTOR }], expectedVersion };
  }
}
