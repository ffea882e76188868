import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `npm run build` makes for each service beside its `dist/main.js` (deploy/bundle-services.mjs): the
 * service as one file, which the local cluster and a guest's node image run, and the list of the files it was
 * made from (repository-relative), so that whoever runs it can tell a bundle older than the code.
 */
export const SERVICE_BUNDLE = 'main.bundle.js';
export const SERVICE_BUNDLE_INPUTS = 'main.bundle.inputs.json';

export function serviceBundlePath(repoRoot: string, service: string): string {
  return join(repoRoot, 'services', service, 'dist', SERVICE_BUNDLE);
}

/**
 * Why a service's bundle cannot be run as the current code (missing, or older than one of its inputs: a
 * `tsc -b` after the last `npm run build`), or undefined when it can.
 */
export function staleServiceBundle(repoRoot: string, service: string): string | undefined {
  const bundle = serviceBundlePath(repoRoot, service);
  const inputsFile = join(repoRoot, 'services', service, 'dist', SERVICE_BUNDLE_INPUTS);
  if (!existsSync(bundle) || !existsSync(inputsFile)) return `${bundle} is missing`;
  const built = statSync(bundle).mtimeMs;
  for (const input of JSON.parse(readFileSync(inputsFile, 'utf8')) as string[]) {
    const stat = statSync(join(repoRoot, input), { throwIfNoEntry: false });
    if (!stat) return `${bundle} was made from ${input}, which is gone`;
    if (stat.mtimeMs > built) return `${bundle} is older than ${input}`;
  }
  return undefined;
}
