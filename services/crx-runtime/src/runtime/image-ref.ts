import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A repository as the image store keeps it (`app`, `team/app`, `registry.local:5000/team/app`: without docker.io/
 * and library/) written out in full, as Docker's reference format reads a name and as kubectl users see image ids:
 * a first part with a `.` or a `:`, `localhost`, or one with an upper-case letter names a registry; any other
 * repository is Docker Hub's, and a one-part one is in its `library/`.
 */
export function qualifiedRepository(repository: string): string {
  const slash = repository.indexOf('/');
  if (slash < 0) return `docker.io/library/${repository}`;
  const first = repository.slice(0, slash);
  const registry = /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
  return registry ? repository : `docker.io/${repository}`;
}

/**
 * An imported image's id (CRI's `imageRef`): its repository in full with its digest, `docker.io/library/app@sha256:…`,
 * as containerd reports an image it has a repository digest for. The digest is the one the store resolves a
 * `name@sha256:` reference with: the manifest's for an OCI archive, the config's for a legacy `docker save` one
 * (which has no manifest blob), so the id names this very image on the host that reports it.
 */
export function importedImageRef(repository: string, digest: string): string {
  return `${qualifiedRepository(repository)}@${digest}`;
}

/**
 * The id of an image that is one program and links to it (the built-in busybox): `sha256:` and the digest of that
 * file, as containerd names an image by its own digest when no repository has one for it. No registry ever served
 * this image, so a `docker.io/library/busybox@` reference would name an image that is not this one.
 */
export function fileImageRef(path: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}
