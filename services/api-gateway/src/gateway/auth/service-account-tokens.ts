import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  SERVICE_ACCOUNT_NAME_ANNOTATION, SERVICE_ACCOUNT_TOKEN_SECRET_TYPE, SERVICE_ACCOUNTS_RESOURCE,
} from '@openpacific/contracts';
import type { StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';
import type { Actor } from '../store/object-writer';

/** The user a ServiceAccount authenticates as, with its groups. */
export function serviceAccountUser(namespace: string, name: string): Actor {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

/**
 * Legacy ServiceAccount tokens: a `kubernetes.io/service-account-token` Secret whose `data.token` is the bearer
 * token, naming its ServiceAccount in an annotation. The ServiceAccount must exist; deleting the Secret revokes it.
 */
export function serviceAccountTokenSource(readModel: ReadModel): (token: string) => Actor | undefined {
  return (token) => {
    const wanted = Buffer.from(token);
    for (const { object: secret } of readModel.list('secrets')) {
      if (secret.type !== SERVICE_ACCOUNT_TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) continue;
      const stored = secret.data?.token;
      if (typeof stored !== 'string') continue;
      const candidate = Buffer.from(stored, 'base64');
      if (candidate.length !== wanted.length || !timingSafeEqual(candidate, wanted)) continue;
      const ns = secret.metadata.namespace;
      const name = secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
      if (!name || !readModel.get(SERVICE_ACCOUNTS_RESOURCE, ns, name)) return undefined;
      return serviceAccountUser(ns, name);
    }
    return undefined;
  };
}

/** On create, the token controller's job done at once: a random `data.token` and the `data.namespace`. */
export function fillServiceAccountToken(secret: any): any {
  if (secret?.type !== SERVICE_ACCOUNT_TOKEN_SECRET_TYPE) return secret;
  secret.data ??= {};
  secret.data.token ??= Buffer.from(randomBytes(32).toString('base64url')).toString('base64');
  secret.data.namespace ??= Buffer.from(String(secret.metadata?.namespace ?? '')).toString('base64');
  return secret;
}

/** As kube-apiserver: a service-account-token Secret must name its ServiceAccount. */
export function validateServiceAccountTokenSecret(secret: any): StatusCause[] {
  if (secret?.type !== SERVICE_ACCOUNT_TOKEN_SECRET_TYPE) return [];
  if (secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) return [];
  return [{ field: `metadata.annotations[${SERVICE_ACCOUNT_NAME_ANNOTATION}]`, reason: 'FieldValueRequired', message: 'Required value' }];
}
