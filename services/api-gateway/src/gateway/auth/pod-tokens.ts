import { CodedError, PodTokenErrorCodes, PodTokenReply, PodTokenRequest, podTokenSubject, SERVICE_ACCOUNTS_RESOURCE } from '@openpacific/contracts';
import { KubeApiError } from '@openpacific/kube-api';
import { serveJson } from '@openpacific/messaging';
import type { ReadModel } from '@openpacific/objects';
import type { NatsConnection, Subscription } from 'nats';
import { API_AUDIENCE, issueToken } from './bound-tokens';
import type { ServiceAccountSigner } from '../../pki';

/** The queue group of every gateway replica: one of them answers each request. */
export const POD_TOKENS_QUEUE = 'api-gateway';

const refuse = (code: string, message: string) => new CodedError(code, message);

/** What a request must hold; the refusal when it does not. */
function checkRequest(req: PodTokenRequest): void {
  for (const field of ['namespace', 'pod', 'uid', 'host'] as const) {
    if (typeof req?.[field] !== 'string' || req[field] === '') throw refuse(PodTokenErrorCodes.invalid, `${field} is required`);
  }
  if (req.audience !== undefined && (typeof req.audience !== 'string' || req.audience === '')) throw refuse(PodTokenErrorCodes.invalid, 'audience must be a non-empty string when given');
  if (!Number.isInteger(req.expirationSeconds)) throw refuse(PodTokenErrorCodes.invalid, 'expirationSeconds must be an integer');
}

/** Why the pod gets no token, as the read model has it now; nothing when it gets one. */
function podRefusal(readModel: ReadModel, req: PodTokenRequest): CodedError | undefined {
  const pod = readModel.get('pods', req.namespace, req.pod)?.object;
  if (!pod || pod.metadata.uid !== req.uid) return refuse(PodTokenErrorCodes.podNotFound, `pods "${req.pod}" not found in namespace ${req.namespace} with uid ${req.uid}`);
  if (pod.metadata.deletionTimestamp) return refuse(PodTokenErrorCodes.podTerminating, `pods "${req.pod}" is being deleted`);
  if (pod.spec?.nodeName !== req.host) return refuse(PodTokenErrorCodes.wrongHost, `pods "${req.pod}" is not bound to host ${req.host}`);
  const account = pod.spec?.serviceAccountName || 'default';
  if (!readModel.get(SERVICE_ACCOUNTS_RESOURCE, req.namespace, account)) {
    return refuse(PodTokenErrorCodes.serviceAccountNotFound, `serviceaccounts "${account}" not found in namespace ${req.namespace}`);
  }
  return undefined;
}

/**
 * A token for a pod's projected `serviceAccountToken` source, asked by the host the pod is bound to: the pod must exist
 * with that uid, be bound to that host, not be being deleted, and its ServiceAccount must exist. The token is the one
 * `kubectl create token <sa> --bound-object-kind Pod --bound-object-name <pod> --bound-object-uid <uid>` gives
 * (issueToken): it authenticates at the gateway as `system:serviceaccount:<ns>:<sa>` when its audience is the API's,
 * carries the pod's name and uid, and stops working when the pod is deleted.
 *
 * A host may learn of a pod (from the log) a moment before this gateway's read model does: a refusal is decided again
 * once the read model has caught up with the log.
 */
export async function issuePodToken(
  deps: { readModel: ReadModel; serviceAccountKey?: ServiceAccountSigner; catchUp: () => Promise<void> },
  req: PodTokenRequest,
  now = new Date(),
): Promise<PodTokenReply> {
  checkRequest(req);
  if (!deps.serviceAccountKey) throw refuse(PodTokenErrorCodes.unavailable, 'this api-gateway signs no ServiceAccount tokens');
  let refusal = podRefusal(deps.readModel, req);
  if (refusal) {
    await deps.catchUp();
    refusal = podRefusal(deps.readModel, req);
  }
  if (refusal) throw refusal;
  const pod = deps.readModel.get('pods', req.namespace, req.pod)!.object;
  const request = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      audiences: [req.audience ?? API_AUDIENCE],
      expirationSeconds: req.expirationSeconds,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: req.pod, uid: req.uid },
    },
  };
  try {
    const answer = issueToken(deps.serviceAccountKey, deps.readModel, req.namespace, pod.spec?.serviceAccountName || 'default', request, now);
    return { token: answer.status.token, expirationTimestamp: answer.status.expirationTimestamp };
  } catch (err) {
    // A lifetime TokenRequest refuses (under 10 minutes, over 2^32 s), or a change between the checks and here.
    if (err instanceof KubeApiError) throw refuse(refusalCode(err), err.message);
    throw err;
  }
}

/** issueToken's refusal as a pod token refusal: a ServiceAccount or pod gone, a pod of another uid, else a bad request. */
function refusalCode(err: KubeApiError): string {
  if (err.code === 404) return err.status.details?.kind === SERVICE_ACCOUNTS_RESOURCE ? PodTokenErrorCodes.serviceAccountNotFound : PodTokenErrorCodes.podNotFound;
  if (err.code === 409) return PodTokenErrorCodes.podNotFound;
  return PodTokenErrorCodes.invalid;
}

/** Answers pod token requests on `podTokenSubject(prefix)` in the gateways' queue group (serveJson: refusals as `{ error: { code, message } }`). */
export function servePodTokens(
  nats: NatsConnection,
  prefix: string,
  deps: { readModel: ReadModel; serviceAccountKey?: ServiceAccountSigner; catchUp: () => Promise<void> },
): Subscription {
  return serveJson<PodTokenRequest, PodTokenReply>(nats, podTokenSubject(prefix), POD_TOKENS_QUEUE, (req) => issuePodToken(deps, req));
}
