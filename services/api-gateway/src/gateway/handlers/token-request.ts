import { methodNotAllowed, notFound } from '@openpacific/kube-api';
import { issueToken } from '../auth/bound-tokens';
import { GatewayCore, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';
import { decodeBody } from './decode';

/** POST `serviceaccounts/<name>/token`: a bound token for the ServiceAccount (`kubectl create token`); nothing is written. */
export function handleTokenRequest(core: GatewayCore, r: ResourceRequest, method: string): void {
  if (method !== 'POST') throw methodNotAllowed(method);
  if (!core.serviceAccountKey) throw notFound('', r.url.pathname);
  const answer = issueToken(core.serviceAccountKey, core.readModel, r.target.namespace!, r.target.name!, decodeBody(r));
  sendJson(r.res, 201, answer);
}
