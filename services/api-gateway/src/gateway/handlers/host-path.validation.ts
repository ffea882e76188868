import { goQuote, StatusCause } from '@openpacific/kube-api';

/** The `type`s kubelet checks a hostPath volume against (HostPathType; "" checks nothing). */
export const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

/**
 * A pod's `hostPath` volume as kube-apiserver 1.32 validates it (validateHostPathVolumeSource): a path is required,
 * none of its elements may be `..`, and the type must be one kubelet knows. Relative paths are let through, as there.
 */
export function validateHostPathVolume(source: unknown, p: string): StatusCause[] {
  const o = typeof source === 'object' && source !== null ? (source as Record<string, unknown>) : {};
  const path = typeof o.path === 'string' ? o.path : '';
  if (path === '') return [{ field: `${p}.path`, reason: 'FieldValueRequired', message: 'Required value' }];
  const causes: StatusCause[] = [];
  // One cause even for `../../..`, as kube-apiserver's validatePathNoBacksteps stops at the first.
  if (path.split('/').includes('..')) causes.push({ field: `${p}.path`, reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(path)}: must not contain '..'` });
  if (o.type != null && !HOST_PATH_TYPES.includes(String(o.type))) {
    const supported = [...HOST_PATH_TYPES].sort().map(goQuote).join(', ');
    causes.push({ field: `${p}.type`, reason: 'FieldValueNotSupported', message: `Unsupported value: ${goQuote(String(o.type))}: supported values: ${supported}` });
  }
  return causes;
}

/** kube-apiserver's default (SetDefaults_HostPathVolumeSource): a volume without a type has the empty one. */
export function defaultHostPathVolume(source: unknown): void {
  if (typeof source === 'object' && source !== null && !Array.isArray(source)) (source as Record<string, unknown>).type ??= '';
}
