import { createHash } from 'node:crypto';

/** What a VirtualMachinePublishRequest's conditions are computed from: the world as the controller read it. */
export interface PublishFacts {
  /** Whether the source VM exists, and has been created on a host (it has a uniqueID). */
  source: 'missing' | 'notCreated' | 'ok';
  /** Whether the target content library exists and is writable, and whether its item name is free. */
  target: 'missing' | 'notWritable' | 'itemTaken' | 'ok';
  sourceName: string;
  libraryName?: string;
  itemName: string;
  /** Whether an upload was attempted (status.attempts), and whether the image it made exists. */
  attempted: boolean;
  uploaded: boolean;
  /** The VirtualMachineImage of the published item, when it is there and Ready. */
  imageName?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

const ok = (type: string): Condition => ({ type, status: 'True', reason: 'True', message: '' });
const not = (type: string, reason: string, message: string): Condition => ({ type, status: 'False', reason, message });

export function sourceValid(f: PublishFacts): Condition {
  if (f.source === 'missing') return not('SourceValid', 'SourceVirtualMachineNotExist', `virtualmachines.vmoperator.vmware.com "${f.sourceName}" not found`);
  if (f.source === 'notCreated') return not('SourceValid', 'SourceVirtualMachineNotCreated', "VM hasn't been created and has no uniqueID");
  return ok('SourceValid');
}

export function targetValid(f: PublishFacts): Condition {
  const lib = f.libraryName ?? '';
  if (f.target === 'missing') {
    return not('TargetValid', 'TargetContentLibraryNotExist', lib ? `contentlibraries.imageregistry.vmware.com "${lib}" not found` : 'no default ContentLibrary (label imageregistry.vmware.com/default) in the namespace');
  }
  if (f.target === 'notWritable') return not('TargetValid', 'TargetContentLibraryNotWritable', `target location ${lib} is not writable`);
  if (f.target === 'itemTaken') return not('TargetValid', 'TargetItemAlreadyExists', `item with name ${f.itemName} already exists in the content library ${lib}`);
  return ok('TargetValid');
}

/** Reported once an upload was attempted, as VM Operator reports the publish task. */
export function uploaded(f: PublishFacts): Condition | undefined {
  if (!f.attempted) return undefined;
  return f.uploaded ? ok('Uploaded') : not('Uploaded', 'NotStarted', "VM Publish task hasn't started.");
}

/** Reported once uploaded: the namespace's image whose providerItemID is the uploaded item's. */
export function imageAvailable(f: PublishFacts): Condition | undefined {
  if (!f.uploaded) return undefined;
  return f.imageName ? ok('ImageAvailable') : not('ImageAvailable', 'VirtualMachineImageNotFound', 'VirtualMachineImage not found');
}

export function complete(f: PublishFacts): Condition {
  if (!f.uploaded) return not('Complete', 'HasNotBeenUploaded', "item hasn't been uploaded yet");
  if (!f.imageName) return not('Complete', 'ImageUnavailable', 'VirtualMachineImage is not available');
  return ok('Complete');
}

/** Conditions as written: the generation they saw, and the transition time kept for those whose status did not change. */
export function stampConditions(next: Condition[], previous: Condition[] | undefined, generation: number, now: string): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now;
    return { ...c, observedGeneration: generation, lastTransitionTime };
  });
}

/** The conditions that apply, in type order. */
export function publishConditions(f: PublishFacts, previous: Condition[] | undefined, generation: number, now: string): Condition[] {
  const next = [complete(f), imageAvailable(f), sourceValid(f), targetValid(f), uploaded(f)].filter((c): c is Condition => !!c);
  return stampConditions(next, previous, generation, now);
}

/**
 * The published item's identity, the same on every pass of one request (by its uid), another for a later request
 * of the same item name: `vmi-` and 17 hex characters, as VM Operator names images.
 */
export function publishedIds(requestUid: string, library: string, item: string): { imageName: string; itemName: string; itemID: string } {
  const hash = createHash('sha256').update(`${requestUid}\n${library}\n${item}`).digest('hex');
  const itemID = `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
  return { imageName: `vmi-${hash.slice(0, 17)}`, itemName: `clitem-${hash.slice(0, 17)}`, itemID };
}

/** When a request finished at `completionTime` is to be deleted (ms since the epoch), or undefined when it is kept. */
export function ttlExpiry(ttlSecondsAfterFinished: number | undefined | null, completionTime: string | undefined): number | undefined {
  if (ttlSecondsAfterFinished === undefined || ttlSecondsAfterFinished === null || !completionTime) return undefined;
  return Date.parse(completionTime) + ttlSecondsAfterFinished * 1000;
}

/** When a finished request is to be deleted (ms since the epoch), or undefined when it is kept. */
export function expiresAt(req: any): number | undefined {
  if (!req.status?.ready) return undefined;
  return ttlExpiry(req.spec?.ttlSecondsAfterFinished, req.status?.completionTime);
}
