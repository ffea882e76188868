import { ObjectEventTypes, PDBS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import { badRequest, labelSelectorFromObject, matchesLabelSelector, methodNotAllowed, notFound, statusError } from '@openpacific/kube-api';
import type { StoredObject } from '@openpacific/objects';
import { commitUpdateInternal } from '../controllers/internal-update';
import { GatewayCore, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';
import { decodeBody } from './decode';
import { deleteObject } from './delete';
import { decodeDeleteOptions, isDryRunDelete, validateDeleteOptions } from './delete-options';

const TOO_MANY = "Cannot evict pod as it would violate the pod's disruption budget.";

function isReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

function budgetsOf(core: GatewayCore, pod: any): StoredObject[] {
  return core.readModel.list(PDBS_RESOURCE, pod.metadata.namespace).filter(({ object: pdb }) => {
    if (!pdb.spec?.selector) return false;
    return matchesLabelSelector(labelSelectorFromObject(pdb.spec.selector), pod.metadata.labels ?? {});
  });
}

/** 429 as kube-apiserver words a refused eviction, the budget's reason as its cause. */
function refused(message: string): Error {
  return statusError(429, 'TooManyRequests', TOO_MANY, { causes: [{ reason: 'DisruptionBudget', message }] });
}

/**
 * POST `pods/<name>/eviction` (policy/v1 Eviction, what `kubectl drain` sends): the pod is deleted as a DELETE would
 * (its DeleteOptions honoured) if its PodDisruptionBudget allows one more disruption, which the eviction takes in the
 * budget's status (`disruptionsAllowed` less one, the pod in `disruptedPods`) before the deletion, as kube-apiserver
 * does. A pod that has finished, has not started, or is being deleted goes regardless; a pod that is not Ready goes
 * when the budget has its healthy pods anyway (or says AlwaysAllow). Refused: 429 with the budget's reason; a pod under
 * two budgets is a 409 (a 500 in Kubernetes).
 */
export async function handleEviction(core: GatewayCore, r: ResourceRequest, method: string): Promise<void> {
  if (method !== 'POST') throw methodNotAllowed(method);
  const ns = r.target.namespace!;
  const name = r.target.name!;
  const eviction = decodeBody(r);
  if (eviction?.kind !== 'Eviction') throw badRequest(`the request body must be a policy/v1 Eviction, not ${eviction?.apiVersion ?? '?'}/${eviction?.kind ?? '?'}`);
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const options = decodeDeleteOptions(eviction.deleteOptions ?? {}, 'deleteOptions');
  // As kube-apiserver's eviction: the request's own dryRun stands for the options' when they name none.
  if (!options.dryRun?.length && r.query.getAll('dryRun').length > 0) options.dryRun = r.query.getAll('dryRun');
  // Checked before the budget is read (kube-apiserver checks them on deleting, after taking a disruption): nothing is written.
  validateDeleteOptions(options);
  const dryRun = isDryRunDelete(options);
  const pods = core.registry.storage('pods');
  for (let attempt = 0; attempt < 5; attempt++) {
    const pod = core.readModel.get('pods', ns, name)?.object;
    if (!pod) throw notFound('pods', name);
    const phase = pod.status?.phase;
    const budgets = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp ? [] : budgetsOf(core, pod);
    // kube-apiserver answers this with a 500; it is the cluster's set-up, not the server, so here a 409 with its words.
    if (budgets.length > 1) throw statusError(409, 'Conflict', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const [budget] = budgets;
    if (budget) {
      const pdb = budget.object;
      const status = pdb.status ?? {};
      if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) throw refused(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
      const unhealthyMayGo = !isReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0));
      if (!unhealthyMayGo) {
        if ((status.disruptionsAllowed ?? 0) <= 0) {
          throw refused(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
        }
        if (!dryRun && !(await takeDisruption(core, budget, name, r))) continue; // the budget changed meanwhile: decide again
      }
    }
    await deleteObject(core, pods, ns, name, options, r.user, dryRun, r);
    sendJson(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    return;
  }
  throw statusError(409, 'Conflict', `the PodDisruptionBudget of pods "${name}" kept changing; try again`);
}

/** One disruption taken from the budget, at the version read; false when someone wrote it first. */
function takeDisruption(core: GatewayCore, budget: StoredObject, pod: string, r: ResourceRequest): Promise<boolean> {
  return commitUpdateInternal(core, PDBS_RESOURCE, budget, (next) => {
    next.status = { ...next.status, disruptionsAllowed: next.status.disruptionsAllowed - 1, disruptedPods: { ...(next.status.disruptedPods ?? {}), [pod]: rfc3339() } };
  }, r.user, ObjectEventTypes.statusUpdated);
}
