import { descriptionKey, type FieldDescriptions } from './field-descriptions';

export * from './field-descriptions';

interface Loaded {
  common: FieldDescriptions;
  byKind: Record<string, FieldDescriptions>;
}

let loaded: Loaded | undefined;

/**
 * Every description, loaded on first use. Only the gateway's OpenAPI documents (`kubectl explain`) read them, and
 * loaded with the contracts they made every service hold 1.4 MB of text it never reads and spend tens of
 * milliseconds of its start on it (docs/benchmarks.md, "Thirty-ninth round").
 */
function descriptions(): Loaded {
  return (loaded ??= {
    common: (require('./common') as typeof import('./common')).commonDescriptions,
    byKind: {
      ...(require('./core') as typeof import('./core')).coreDescriptions,
      ...(require('./pod') as typeof import('./pod')).podDescriptions,
      ...(require('./workloads') as typeof import('./workloads')).workloadsDescriptions,
      ...(require('./storage') as typeof import('./storage')).storageDescriptions,
      ...(require('./vmoperator') as typeof import('./vmoperator')).vmoperatorDescriptions,
      ...(require('./guest-clusters') as typeof import('./guest-clusters')).guestClustersDescriptions,
      ...(require('./admin') as typeof import('./admin')).adminDescriptions,
      ...(require('./imageregistry') as typeof import('./imageregistry')).imageregistryDescriptions,
      ...(require('./cns') as typeof import('./cns')).cnsDescriptions,
      ...(require('./topology') as typeof import('./topology')).topologyDescriptions,
    },
  });
}

/** The descriptions every kind shares (`metadata.*`). */
export function commonFieldDescriptions(): FieldDescriptions {
  return descriptions().common;
}

/** A kind's field descriptions: the common ones (`metadata.*`), then its own. */
export function fieldDescriptions(group: string, kind: string): FieldDescriptions {
  const { common, byKind } = descriptions();
  return { ...common, ...byKind[descriptionKey(group, kind)] };
}

/** A kind's own field descriptions, without the common ones (by descriptionKey). */
export function ownFieldDescriptions(key: string): FieldDescriptions {
  return descriptions().byKind[key] ?? {};
}

/** Every kind that has descriptions of its own, by descriptionKey. */
export function describedKinds(): string[] {
  return Object.keys(descriptions().byKind);
}
