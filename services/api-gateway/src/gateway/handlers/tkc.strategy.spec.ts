import { ObjectEventTypes, objectStreamId, resourceDefinitions, ZONES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { KubeApiError } from '@openpacific/kube-api';
import { ReadModel } from '@openpacific/objects';
import { strategyFor } from './kind-strategies';
import { failureDomainRefusal, releaseVersion, validateTanzuKubernetesCluster, validateTanzuKubernetesClusterUpdate } from './tkc.strategy';

/** A read model holding the Zones of namespace `tkg-team`: zone-a, zone-b, and zone-c being deleted. */
function zonesModel(): ReadModel {
  const model = new ReadModel();
  let position = 0n;
  for (const [name, extra] of [['zone-a', {}], ['zone-b', {}], ['zone-c', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['keep'] }]] as const) {
    position += 1n;
    const object = { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', kind: 'Zone', metadata: { name, namespace: 'tkg-team', uid: `u-${name}`, ...extra }, spec: { availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name } } };
    model.apply({
      id: `e${position}`, streamId: objectStreamId(ZONES_RESOURCE, 'tkg-team', name), streamVersion: 1, type: ObjectEventTypes.created,
      data: { resource: ZONES_RESOURCE, object }, metadata: { actor: 'vm-operator', source: 'test' }, position, transactionId: 100n + position, createdAt: new Date(),
    } as RecordedEvent);
  }
  return model;
}

describe('TanzuKubernetesCluster admission', () => {
  const tkc = (replicas: number, tkr = 'v1.29.4---vmware.3-fips.1-tkg.1') => ({ spec: { topology: { controlPlane: { replicas, tkr: { reference: { name: tkr } } }, nodePools: [{ name: 'a' }] } } });

  it('refuses an even control plane', () => {
    expect(validateTanzuKubernetesCluster(tkc(3))).toEqual([]);
    expect(validateTanzuKubernetesCluster(tkc(2))).toEqual([expect.objectContaining({ field: 'spec.topology.controlPlane.replicas' })]);
  });

  it('refuses a node pool of fewer than zero machines, and accepts zero', () => {
    const withPool = (replicas: number) => ({ spec: { topology: { controlPlane: { replicas: 1 }, nodePools: [{ name: 'a', replicas }] } } });
    expect(validateTanzuKubernetesCluster(withPool(0))).toEqual([]);
    expect(validateTanzuKubernetesCluster(withPool(-1))).toEqual([
      expect.objectContaining({ field: 'spec.topology.nodePools[0].replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }),
    ]);
  });

  it('refuses replicas past a 32-bit integer, as the webhook decoding them would (1e21 was taken, and cluster-api ran out of memory)', () => {
    const tkc = (cp: number, pool: number) => ({ spec: { topology: { controlPlane: { replicas: cp }, nodePools: [{ name: 'a', replicas: pool }] } } });
    expect(validateTanzuKubernetesCluster(tkc(1, 2 ** 31 - 1))).toEqual([]);
    expect(validateTanzuKubernetesCluster(tkc(2 ** 31 + 1, 1e21))).toEqual([
      expect.objectContaining({ field: 'spec.topology.controlPlane.replicas', message: 'Invalid value: 2147483649: must be a 32-bit integer, at most 2147483647' }),
      expect.objectContaining({ field: 'spec.topology.nodePools[0].replicas', message: 'Invalid value: 1e+21: must be a 32-bit integer, at most 2147483647' }),
    ]);
  });

  it('refuses a downgrade of the release, and accepts an upgrade', () => {
    expect(releaseVersion('v1.29.4---vmware.3-fips.1-tkg.1')).toEqual([1, 29, 4]);
    expect(validateTanzuKubernetesClusterUpdate(tkc(1), tkc(1, 'v1.30.1---vmware.1-fips-tkg.5'))).toEqual([]);
    expect(validateTanzuKubernetesClusterUpdate(tkc(1), tkc(1, 'v1.28.8---vmware.1-fips.1-tkg.2'))).toEqual([
      expect.objectContaining({ field: 'spec.topology.controlPlane.tkr.reference.name', message: 'Forbidden: downgrading from 1.29.4 to 1.28.8 is not supported' }),
    ]);
  });

  describe("a node pool's failureDomain", () => {
    const model = zonesModel();
    const zoned = (namespace: string, ...zones: (string | undefined)[]) => ({
      metadata: { name: 'tkc-1', namespace },
      spec: { topology: { controlPlane: { replicas: 3 }, nodePools: zones.map((failureDomain, i) => ({ name: `np-${i}`, ...(failureDomain === undefined ? {} : { failureDomain }) })) } },
    });

    it('may name a zone of the namespace, or none', () => {
      expect(failureDomainRefusal(zoned('tkg-team', 'zone-a', 'zone-b', undefined), undefined, model)).toBeUndefined();
    });

    it("is refused by the TKG webhook with 403 when the namespace has no such zone (or it is being deleted), in the webhook's words", () => {
      const refusal = failureDomainRefusal(zoned('tkg-team', 'zone-a', 'zone-x', 'zone-c'), undefined, model)!;
      const words = 'failure domain is not valid for nodepool np-1: "zone-x", failure domain is not valid for nodepool np-2: "zone-c"';
      expect(refusal).toBeInstanceOf(KubeApiError);
      expect(refusal.status).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: words, message: `admission webhook "default.validating.tanzukubernetescluster.run.vmware.com" denied the request: ${words}` });
    });

    it('is not judged in a namespace without Zones, nor on an update that leaves it as it was', () => {
      expect(failureDomainRefusal(zoned('other', 'zone-x'), undefined, model)).toBeUndefined();
      expect(failureDomainRefusal(zoned('tkg-team', 'zone-x'), zoned('tkg-team', 'zone-x'), model)).toBeUndefined();
      expect(failureDomainRefusal(zoned('tkg-team', 'zone-y'), zoned('tkg-team', 'zone-x'), model)?.status.code).toBe(403);
    });

    it("is checked by the TanzuKubernetesCluster's create and update rules", () => {
      const strategy = strategyFor(resourceDefinitions.find((d) => d.kind === 'TanzuKubernetesCluster')!);
      const ctx = { readModel: model, serviceCIDR: '127.202.0.0/16' };
      expect(() => strategy.validateCreate!(zoned('tkg-team', 'zone-x'), ctx)).toThrow('denied the request: failure domain is not valid for nodepool np-0: "zone-x"');
      expect(strategy.validateCreate!(zoned('tkg-team', 'zone-b'), ctx)).toEqual([]);
      expect(() => strategy.validateUpdate!(zoned('tkg-team', 'zone-a'), zoned('tkg-team', 'zone-x'), undefined, ctx)).toThrow('nodepool np-0: "zone-x"');
    });
  });
});
