import { fieldInvalid, goQuote, StatusCause } from '@openpacific/kube-api';

/**
 * `spec.topology.version` as Cluster API's Cluster webhook checks it (internal/webhooks/cluster.go, util/version): a
 * Kubernetes semantic version, which on update neither goes down nor skips a minor version, and whose minor version
 * only goes up once the control plane has reached, and finished rolling out, the current one.
 */

/** A version as github.com/blang/semver holds it. */
export interface Semver {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
  build: string[];
}

const FIELD = 'spec.topology.version';
/** util/version.KubeSemverTolerant: KubeSemver with the `v` CAPI's defaulting adds made optional. */
const KUBE_SEMVER_TOLERANT = /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_.+]*)?$/;
const NUMERIC = /^[0-9]+$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;

/** util/version.KubeSemver: a Kubernetes version with its `v` (what Cluster API's webhooks check after defaulting). */
export function isKubeSemver(text: string): boolean {
  return text.startsWith('v') && KUBE_SEMVER_TOLERANT.test(text);
}

/** semver.ParseTolerant: an optional `v`, leading zeros dropped, a short `1.2` filled up to `1.2.0`. */
export function parseTolerant(text: string): Semver | undefined {
  const parts = splitN(text.trim().replace(/^v/, ''), '.', 3).map(dropLeadingZeros);
  if (parts.length < 3) {
    if (/[+-]/.test(parts[parts.length - 1])) return undefined;
    while (parts.length < 3) parts.push('0');
  }
  return parseStrict(parts.join('.'));
}

/** Go's strings.SplitN. */
function splitN(text: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = text;
  for (let at = rest.indexOf(sep); out.length < n - 1 && at >= 0; at = rest.indexOf(sep)) {
    out.push(rest.slice(0, at));
    rest = rest.slice(at + sep.length);
  }
  return [...out, rest];
}

function dropLeadingZeros(part: string): string {
  if (part.length <= 1) return part;
  const trimmed = part.replace(/^0+/, '');
  return /^[0-9]/.test(trimmed) ? trimmed : `0${trimmed}`;
}

/** semver.Parse: `major.minor.patch[-pre][+build]`, numbers without leading zeros, identifiers of [0-9A-Za-z-]. */
function parseStrict(text: string): Semver | undefined {
  const match = /^([^.]*)\.([^.]*)\.(.*)$/s.exec(text);
  if (!match) return undefined;
  let patch = match[3];
  let build: string[] = [];
  let pre: string[] = [];
  const plus = patch.indexOf('+');
  if (plus >= 0) [build, patch] = [patch.slice(plus + 1).split('.'), patch.slice(0, plus)];
  const dash = patch.indexOf('-');
  if (dash >= 0) [pre, patch] = [patch.slice(dash + 1).split('.'), patch.slice(0, dash)];
  const numbers = [match[1], match[2], patch];
  if (numbers.some((n) => !NUMERIC.test(n) || (n.length > 1 && n.startsWith('0')))) return undefined;
  if (pre.some((p) => !IDENTIFIER.test(p) || (NUMERIC.test(p) && p.length > 1 && p.startsWith('0')))) return undefined;
  if (build.some((b) => !IDENTIFIER.test(b))) return undefined;
  const [major, minor, patchNumber] = numbers.map(Number);
  return { major, minor, patch: patchNumber, pre, build };
}

/** Version.String(): no `v`. */
export function formatSemver(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre.length ? `-${v.pre.join('.')}` : ''}${v.build.length ? `+${v.build.join('.')}` : ''}`;
}

/** Version.Compare: semver precedence (a release above its pre-releases; build metadata ignored). */
export function compareSemver(a: Semver, b: Semver): number {
  for (const [x, y] of [[a.major, b.major], [a.minor, b.minor], [a.patch, b.patch]]) if (x !== y) return x < y ? -1 : 1;
  if (!a.pre.length || !b.pre.length) return a.pre.length === b.pre.length ? 0 : a.pre.length ? -1 : 1;
  return compareIdentifiers(a.pre, b.pre);
}

/** util/version.Compare with WithBuildTags: equal versions are then told apart by their build identifiers. */
export function compareWithBuildTags(a: Semver, b: Semver): number {
  return compareSemver(a, b) || compareIdentifiers(a.build, b.build);
}

/** Identifier by identifier: numbers numerically and below words, words as strings; then the longer list is greater. */
function compareIdentifiers(a: string[], b: string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const [x, y] = [a[i], b[i]];
    const [xn, yn] = [NUMERIC.test(x), NUMERIC.test(y)];
    if (xn !== yn) return xn ? -1 : 1;
    const order = xn ? Math.sign(Number(x) - Number(y)) : x < y ? -1 : x > y ? 1 : 0;
    if (order) return order;
  }
  return Math.sign(a.length - b.length);
}

/** The version as CAPI's defaulting webhook leaves it, `v` first, which is what its validation names. */
export function defaultedVersion(version: unknown): string {
  const text = typeof version === 'string' ? version : '';
  return text.startsWith('v') ? text : `v${text}`;
}

/** On create and update: `version must be a valid semantic version`. */
export function versionSyntaxCauses(version: unknown): StatusCause[] {
  const text = defaultedVersion(version);
  return KUBE_SEMVER_TOLERANT.test(text) ? [] : [fieldInvalid(FIELD, text, 'version must be a valid semantic version')];
}

/**
 * On update, between the old version and the new (both valid): not down, not two minors up, and one minor up only
 * when `controlPlaneBlock` (given the old version) finds nothing in the way.
 */
export function versionChangeCauses(newVersion: unknown, oldVersion: unknown, controlPlaneBlock: (old: Semver) => string | undefined): StatusCause[] {
  const text = defaultedVersion(newVersion);
  const next = parseTolerant(text);
  const old = parseTolerant(defaultedVersion(oldVersion));
  if (!next) return [fieldInvalid(FIELD, text, 'version must be a valid semantic version')];
  if (!old) return [fieldInvalid(FIELD, defaultedVersion(oldVersion), 'old version must be a valid semantic version')];
  if (compareWithBuildTags(next, old) === 0) return [];
  const [from, to] = [goQuote(formatSemver(old)), goQuote(formatSemver(next))];
  if (compareWithBuildTags(next, old) < 0) return [fieldInvalid(FIELD, text, `version cannot be decreased from ${from} to ${to}`)];
  const at = (minor: number): Semver => ({ major: old.major, minor, patch: 0, pre: [], build: [] });
  if (compareSemver(next, at(old.minor + 2)) >= 0) return [fieldInvalid(FIELD, text, `version cannot be increased from ${from} to ${to}`)];
  if (compareSemver(next, at(old.minor + 1)) < 0) return [];
  const blocked = controlPlaneBlock(old);
  return blocked
    ? [fieldInvalid(FIELD, text, `minor version update cannot happen at this time: blocking version update due to ControlPlane version check: ${blocked}`)]
    : [];
}

/**
 * Why the control plane blocks a minor upgrade from `current`, as the ControlPlane contract reads it: its
 * `spec.version` not the current one, no `status.version` yet (provisioning), or `spec.version` above `status.version`.
 */
export function controlPlaneBlock(controlPlane: any, current: Semver): string | undefined {
  const spec = parseTolerant(String(controlPlane?.spec?.version ?? ''));
  if (!spec) return 'failed to parse version of ControlPlane';
  if (compareSemver(spec, current) !== 0) return `ControlPlane version ${goQuote(formatSemver(spec))} does not match the current version ${goQuote(formatSemver(current))}`;
  const status = controlPlane?.status?.version;
  if (!status) return 'ControlPlane is currently provisioning';
  const reached = parseTolerant(String(status));
  return reached && compareWithBuildTags(spec, reached) >= 1 ? 'ControlPlane is still completing a previous upgrade' : undefined;
}
