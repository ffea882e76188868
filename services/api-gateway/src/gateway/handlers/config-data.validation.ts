import { fieldTooLong, StatusCause } from '@openpacific/kube-api';

/** kube-apiserver's limit on the data a ConfigMap or Secret holds (core.MaxSecretSize), 1 MiB. */
export const MAX_CONFIG_DATA_BYTES = 1024 * 1024;

/** The bytes a map of strings holds: UTF-8 text (`decode` 'utf8') or base64 (the decoded bytes). */
function mapBytes(map: unknown, encoding: 'utf8' | 'base64'): number {
  if (!map || typeof map !== 'object') return 0;
  let total = 0;
  for (const value of Object.values(map)) if (typeof value === 'string') total += Buffer.byteLength(value, encoding);
  return total;
}

/**
 * A ConfigMap's `data` and `binaryData` together hold at most 1 MiB, as kube-apiserver counts them; the cause names
 * the whole object (`[]`), as there.
 */
export function validateConfigMapSize(cm: any): StatusCause[] {
  const total = mapBytes(cm?.data, 'utf8') + mapBytes(cm?.binaryData, 'base64');
  return total > MAX_CONFIG_DATA_BYTES ? [fieldTooLong('[]', MAX_CONFIG_DATA_BYTES)] : [];
}

/** A Secret's `data` (with `stringData` merged in, as stored) holds at most 1 MiB of decoded bytes. */
export function validateSecretSize(secret: any): StatusCause[] {
  const total = mapBytes(secret?.data, 'base64') + mapBytes(secret?.stringData, 'utf8');
  return total > MAX_CONFIG_DATA_BYTES ? [fieldTooLong('data', MAX_CONFIG_DATA_BYTES)] : [];
}
