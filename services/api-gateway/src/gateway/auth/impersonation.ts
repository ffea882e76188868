import type { IncomingMessage } from 'node:http';
import { authorize, RbacLookups, RequestAttributes, UserInfo } from '@openpacific/authz';
import { badRequest } from '@openpacific/kube-api';
import { serviceAccountUser } from './service-account-tokens';

/**
 * `kubectl --as=<user> --as-group=<group>`: the Impersonate-User / Impersonate-Group headers. Allowed when the
 * caller may `impersonate` those users (or serviceaccounts) and groups, as in kube-apiserver; the request then
 * runs as the impersonated user. Returns the caller unchanged without the headers, or the refused attributes.
 */
export function impersonate(caller: UserInfo, req: IncomingMessage, lookups: RbacLookups): { user: UserInfo } | { refused: RequestAttributes } {
  const distinct = req.headersDistinct ?? {};
  const username = distinct['impersonate-user']?.[0];
  const groups = distinct['impersonate-group'] ?? [];
  if (username === undefined) {
    if (groups.length > 0) throw badRequest('requested impersonation of groups without impersonating a user');
    return { user: caller };
  }
  const checks: RequestAttributes[] = [];
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (sa) checks.push({ user: caller, verb: 'impersonate', resourceRequest: true, apiGroup: '', resource: 'serviceaccounts', namespace: sa[1], name: sa[2] });
  else checks.push({ user: caller, verb: 'impersonate', resourceRequest: true, apiGroup: '', resource: 'users', name: username });
  for (const g of groups) checks.push({ user: caller, verb: 'impersonate', resourceRequest: true, apiGroup: '', resource: 'groups', name: g });
  for (const attrs of checks) if (!authorize(attrs, lookups).allowed) return { refused: attrs };
  const saGroups = sa ? serviceAccountUser(sa[1], sa[2]).groups : [];
  return { user: { username, groups: [...new Set([...saGroups, ...groups, 'system:authenticated'])] } };
}
