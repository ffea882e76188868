import { fieldInvalid, finalizerNameProblems, StatusCause } from '@openpacific/kube-api';

/**
 * A Namespace's `spec.finalizers`, as kube-apiserver's ValidateNamespace checks them: each a qualified name, with a
 * domain unless standard (`kubernetes`). One that is neither held its Namespace Terminating for ever; now it is a
 * 422, and `PUT namespaces/<name>/finalize` (kubectl replace --raw) writes the list.
 */
export function validateNamespaceFinalizers(ns: any): StatusCause[] {
  const finalizers: unknown[] = Array.isArray(ns?.spec?.finalizers) ? ns.spec.finalizers : [];
  return finalizers.flatMap((f, i) => (typeof f === 'string' ? finalizerNameProblems(f).map((p) => fieldInvalid(`spec.finalizers[${i}]`, f, p)) : []));
}
