import type * as Cel from '@bufbuild/cel';
import { ipLibrary } from './ip.library';
import { listLibrary } from './lists.library';
import { quantityLibrary } from './quantity.library';
import { regexLibrary } from './regex.library';
import { urlLibrary } from './url.library';

/** The functions Kubernetes' own CEL libraries add to the environment of x-kubernetes-validations rules. */
export function kubernetesLibraries(cel: typeof Cel): Cel.CelFunc[] {
  return [...listLibrary(cel), ...regexLibrary(cel), ...urlLibrary(cel), ...quantityLibrary(cel), ...ipLibrary(cel)];
}
