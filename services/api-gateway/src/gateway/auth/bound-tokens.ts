import { KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { HOSTS_RESOURCE, SERVICE_ACCOUNTS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import { badRequest, conflict, invalid, notFound, StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';
import type { ServiceAccountSigner } from '../../pki';
import type { Actor } from '../store/object-writer';
import { serviceAccountUser } from './service-account-tokens';

/**
 * Bound ServiceAccount tokens (authentication.k8s.io/v1 TokenRequest, `kubectl create token`): JWTs signed RS256
 * with the key id in their header, as kube-apiserver issues them, that name the ServiceAccount (and the object they are bound to) by uid, expire, and
 * are good only while those objects exist. Nothing is stored: the signature, the claims and the read model decide.
 */

/** The audience a token must name to be taken by this API server (kube-apiserver's default). */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
/** The tokens' `iss`, as kube-apiserver's default --service-account-issuer (its OIDC discovery names it too). */
export const ISSUER = API_AUDIENCE;
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** The kinds a token may be bound to, where the read model keeps them, and the claim naming them. */
const BINDABLE: Record<string, { resource: string; apiVersion: string; claim: 'pod' | 'secret' | 'node'; namespaced: boolean }> = {
  Pod: { resource: 'pods', apiVersion: 'v1', claim: 'pod', namespaced: true },
  Secret: { resource: 'secrets', apiVersion: 'v1', claim: 'secret', namespaced: true },
  // A Node is a view of a Host: the Host's name and uid are the Node's.
  Node: { resource: HOSTS_RESOURCE, apiVersion: 'v1', claim: 'node', namespaced: false },
};
/** The objects a token's claims may name, where each is kept (read as the token is checked). */
const CLAIMED: Array<['pod' | 'secret' | 'node', string, boolean]> = [['pod', 'pods', true], ['secret', 'secrets', true], ['node', HOSTS_RESOURCE, false]];

interface Claims {
  aud: string[];
  sub: string;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
    node?: { name: string; uid: string };
  };
}

function requestCauses(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const seconds = spec.expirationSeconds;
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < MIN_EXPIRATION_SECONDS)) {
    causes.push({ field: 'spec.expirationSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(seconds)}: may not specify a duration less than 10 minutes` });
  } else if (seconds !== undefined && seconds > MAX_EXPIRATION_SECONDS) {
    causes.push({ field: 'spec.expirationSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${seconds}: may not specify a duration larger than 2^32 seconds` });
  }
  if (spec.audiences !== undefined && (!Array.isArray(spec.audiences) || spec.audiences.some((a: unknown) => typeof a !== 'string' || a === ''))) {
    causes.push({ field: 'spec.audiences', reason: 'FieldValueInvalid', message: 'Invalid value: audiences must be non-empty strings' });
  }
  return causes;
}

/**
 * Answers a TokenRequest for ServiceAccount `namespace/name`: the request with its defaults (an hour, the API
 * server's audience) and `status.token`, `status.expirationTimestamp`. A missing ServiceAccount or bound object is a
 * 404, a bound object of another uid a 409, a kind tokens cannot be bound to a 400, a bad duration a 422.
 */
export function issueToken(signer: ServiceAccountSigner, readModel: ReadModel, namespace: string, name: string, request: any, now = new Date()): any {
  if (request?.kind !== 'TokenRequest' || request?.apiVersion !== 'authentication.k8s.io/v1') {
    throw badRequest(`the request body must be an authentication.k8s.io/v1 TokenRequest, not ${request?.apiVersion ?? '?'}/${request?.kind ?? '?'}`);
  }
  const spec = { ...(request.spec ?? {}) };
  const causes = requestCauses(spec);
  if (causes.length) throw invalid('TokenRequest', '', 'authentication.k8s.io', causes);
  const sa = readModel.get(SERVICE_ACCOUNTS_RESOURCE, namespace, name)?.object;
  if (!sa) throw notFound('serviceaccounts', name);
  spec.audiences = spec.audiences?.length ? spec.audiences : [API_AUDIENCE];
  spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  const claims: Claims = {
    aud: spec.audiences,
    sub: serviceAccountUser(namespace, name).username,
    jti: randomUUID(),
    'kubernetes.io': { namespace, serviceaccount: { name, uid: sa.metadata.uid } },
  };
  const ref = spec.boundObjectRef;
  if (ref) {
    const kind = BINDABLE[ref.kind];
    if (!kind || (ref.apiVersion ?? 'v1') !== kind.apiVersion) throw badRequest(`cannot bind token to object of type ${groupVersionKind(ref)}`);
    const bound = readModel.get(kind.resource, kind.namespaced ? namespace : undefined, ref.name ?? '')?.object;
    if (!bound) throw notFound(ref.kind === 'Node' ? 'nodes' : kind.resource, ref.name ?? '');
    if (ref.kind === 'Pod' && (bound.spec?.serviceAccountName ?? 'default') !== name) {
      throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
    }
    if (ref.uid && ref.uid !== bound.metadata.uid) {
      throw conflict(kind.resource, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    claims['kubernetes.io'][kind.claim] = { name: ref.name, uid: bound.metadata.uid };
    // A pod's token also names the node the pod is on (kube-apiserver's ServiceAccountTokenPodNodeInfo).
    const host = ref.kind === 'Pod' && bound.spec?.nodeName ? readModel.get(HOSTS_RESOURCE, undefined, bound.spec.nodeName)?.object : undefined;
    if (host) claims['kubernetes.io'].node = { name: host.metadata.name, uid: host.metadata.uid };
  }
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + spec.expirationSeconds;
  const token = jwt.sign({ ...claims, iat, nbf: iat, exp, iss: ISSUER }, signer.privateKey, { algorithm: 'RS256', keyid: signer.kid });
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec,
    status: { token, expirationTimestamp: rfc3339(exp * 1000) },
  };
}

/** `/v1, Kind=ConfigMap`: a group, version and kind as kube-apiserver prints them. */
function groupVersionKind(ref: any): string {
  const apiVersion = String(ref.apiVersion ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return `${group}/${version}, Kind=${ref.kind ?? ''}`;
}

/**
 * The claims of a JWT signed RS256 by `publicKey`'s private half, from `issuer`, naming one of `audiences`, and
 * within its nbf/exp; undefined for anything else (another key, algorithm, issuer or audience, expired, not a JWT).
 * Every token source of the issuer's (bound tokens, `kubectl vsphere login` sessions, a guest's Supervisor sessions)
 * checks its tokens with this one function.
 */
export function verifySignedJwt<T>(token: string, publicKey: KeyObject, audiences: readonly string[], issuer = ISSUER): T | undefined {
  if (token.split('.').length !== 3 || audiences.length === 0) return undefined;
  try {
    return jwt.verify(token, publicKey, { algorithms: ['RS256'], audience: audiences as [string, ...string[]], issuer }) as unknown as T;
  } catch {
    return undefined;
  }
}

/**
 * The authenticator's source for bound tokens: a JWT of this server's signature, unexpired, for its audience, whose
 * ServiceAccount (and bound object) still exist with the uids it names. Anything else is not this source's token.
 */
export function boundTokenSource(signer: ServiceAccountSigner, readModel: ReadModel): (token: string, digest?: unknown, audiences?: readonly string[]) => (Actor & { audiences: string[] }) | undefined {
  return (token, _digest, audiences = [API_AUDIENCE]) => {
    const claims = verifySignedJwt<Claims>(token, signer.publicKey, audiences);
    if (!claims) return undefined;
    const k8s = claims['kubernetes.io'];
    if (!k8s?.namespace || !k8s.serviceaccount) return undefined;
    const sa = readModel.get(SERVICE_ACCOUNTS_RESOURCE, k8s.namespace, k8s.serviceaccount.name)?.object;
    if (!sa || sa.metadata.uid !== k8s.serviceaccount.uid || sa.metadata.deletionTimestamp) return undefined;
    for (const [claim, resource, namespaced] of CLAIMED) {
      const ref = k8s[claim];
      // A pod's node is information, not a binding: only a token bound to a Node ends with it.
      if (!ref || (claim === 'node' && k8s.pod)) continue;
      const bound = readModel.get(resource, namespaced ? k8s.namespace : undefined, ref.name)?.object;
      if (!bound || bound.metadata.uid !== ref.uid || bound.metadata.deletionTimestamp) return undefined;
    }
    // kube-apiserver's uid and extra for a ServiceAccount token: the account's uid, the token's id, the pod it is bound to.
    const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] };
    if (k8s.pod) Object.assign(extra, { 'authentication.kubernetes.io/pod-name': [k8s.pod.name], 'authentication.kubernetes.io/pod-uid': [k8s.pod.uid] });
    if (k8s.node) Object.assign(extra, { 'authentication.kubernetes.io/node-name': [k8s.node.name], 'authentication.kubernetes.io/node-uid': [k8s.node.uid] });
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    return { ...serviceAccountUser(k8s.namespace, k8s.serviceaccount.name), uid: k8s.serviceaccount.uid, extra, audiences: audiences.filter((a) => aud.includes(a)) };
  };
}
