import type { ServiceAccountSigner } from '../../pki';
import { ISSUER } from './bound-tokens';

/** Where kube-apiserver serves ServiceAccount issuer discovery (OIDC), and what those paths answer. */
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
export const JWKS_CONTENT_TYPE = 'application/jwk-set+json';

/**
 * The OpenID provider configuration kube-apiserver serves for its ServiceAccount token issuer: the issuer the tokens
 * name, where its keys are (`<public URL>/openid/v1/jwks`), and that tokens are signed RS256, so a party outside the
 * cluster (a secrets manager, a cloud's workload identity) can check a pod's token without calling the API.
 */
export function openIdConfiguration(publicUrl: string): Record<string, unknown> {
  return {
    issuer: ISSUER,
    jwks_uri: `${publicUrl.replace(/\/+$/, '')}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

/** The issuer's public keys as a JSON Web Key Set: one RSA key, its `kid` the one every token's header names. */
export function jwks(signer: ServiceAccountSigner): { keys: Array<Record<string, unknown>> } {
  const { n, e } = signer.publicKey.export({ format: 'jwk' });
  return { keys: [{ use: 'sig', kty: 'RSA', kid: signer.kid, alg: 'RS256', n, e }] };
}
