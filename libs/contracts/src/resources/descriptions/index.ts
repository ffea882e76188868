import { adminDescriptions } from './admin';
import { commonDescriptions } from './common';
import { coreDescriptions } from './core';
import { descriptionKey, type FieldDescriptions } from './field-descriptions';
import { guestClustersDescriptions } from './guest-clusters';
import { podDescriptions } from './pod';
import { storageDescriptions } from './storage';
import { vmoperatorDescriptions } from './vmoperator';
import { workloadsDescriptions } from './workloads';

export * from './field-descriptions';
export { commonDescriptions };

const byKind: Record<string, FieldDescriptions> = {
  ...coreDescriptions,
  ...podDescriptions,
  ...workloadsDescriptions,
  ...storageDescriptions,
  ...vmoperatorDescriptions,
  ...guestClustersDescriptions,
  ...adminDescriptions,
};

/** A kind's field descriptions: the common ones (`metadata.*`), then its own. */
export function fieldDescriptions(group: string, kind: string): FieldDescriptions {
  return { ...commonDescriptions, ...byKind[descriptionKey(group, kind)] };
}

/** A kind's own field descriptions, without the common ones (by descriptionKey). */
export function ownFieldDescriptions(key: string): FieldDescriptions {
  return byKind[key] ?? {};
}

/** Every kind that has descriptions of its own, by descriptionKey. */
export function describedKinds(): string[] {
  return Object.keys(byKind);
}
