import { CSR_FINAL_CONDITIONS, CSR_KEY_USAGES, KUBE_APISERVER_CLIENT_SIGNER, LEGACY_UNKNOWN_SIGNER, rfc3339 } from '@openpacific/contracts';
import {
  certificateChainProblem, fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, fieldTooLong, forbidden, goQuote,
  parseCertificateRequest, StatusCause, validateDns1123Label, validateDns1123Subdomain,
} from '@openpacific/kube-api';
import type { KindStrategy, WriterCheck } from './kind-strategies';

/**
 * certificates.k8s.io/v1 CertificateSigningRequest as kube-apiserver serves it: the requester written into the spec
 * on create (whatever the client sent), the spec immutable, its validation with the same fields and messages, the
 * three ways of writing it (the object: metadata only; `approval`: the Approved/Denied conditions; `status`: the
 * certificate and the other conditions), condition timestamps, and the admission plugins that look at who writes:
 * CertificateApproval (`approve` on the signer), CertificateSigning (`sign` on the signer) and
 * CertificateSubjectRestriction (no `system:masters` client certificates). One difference: kube-apiserver prints an
 * invalid `spec.request` as the bytes it holds (`[]byte{0x2d, …}`); this gateway says `<request data>`, as kube
 * itself words an invalid `status.certificate`.
 */

const GROUP = 'certificates.k8s.io';
const TRUE_ONLY = new Set<string>(CSR_FINAL_CONDITIONS);
const APPROVAL_CONDITIONS = ['Approved', 'Denied'];
const SUPPORTED_USAGES = [...CSR_KEY_USAGES].sort();
/** The longest signer name: a domain (253), '/', a namespace (63), '.', a resource name (253). */
const MAX_SIGNER_NAME = 253 + 1 + 63 + 1 + 253;

const conditionsOf = (csr: any): any[] => (Array.isArray(csr?.status?.conditions) ? csr.status.conditions : []);
const ofType = (csr: any, type: string) => conditionsOf(csr).filter((c) => c?.type === type);

/** `spec.request` (base64 of the PEM in JSON) as text; undefined when it is not base64 of anything. */
export function requestPem(csr: any): string | undefined {
  const raw = csr?.spec?.request;
  if (typeof raw !== 'string' || raw === '') return undefined;
  return Buffer.from(raw, 'base64').toString('utf8');
}

/** `status.certificate` as PEM text ('' when there is none). */
export function certificatePem(csr: any): string {
  const raw = csr?.status?.certificate;
  return typeof raw === 'string' ? Buffer.from(raw, 'base64').toString('utf8') : '';
}

/** kube-apiserver's ValidateSignerName: `<domain>/<path>`, each label checked, at most 571 characters. */
export function validateSignerName(field: string, signerName: unknown): StatusCause[] {
  if (typeof signerName !== 'string' || signerName === '') return [fieldRequired(field)];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [fieldInvalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segments;
  const causes: StatusCause[] = [];
  if (domain.length > 253) causes.push(fieldTooLong(field, 253));
  const domainLabels = domain.split('.');
  for (const label of domainLabels) {
    const problems = validateDns1123Label(label);
    if (problems.length === 0) continue;
    for (const p of problems) causes.push(fieldInvalid(field, domain, `validating label ${goQuote(label)}: ${p}`));
    break;
  }
  if (domainLabels.length < 2) causes.push(fieldInvalid(field, domain, 'should be a domain with at least two segments separated by dots'));
  for (const label of path.split('.')) {
    const problems = validateDns1123Subdomain(label);
    if (problems.length === 0) continue;
    for (const p of problems) causes.push(fieldInvalid(field, path, `validating label ${goQuote(label)}: ${p}`));
    break;
  }
  if (signerName.length > MAX_SIGNER_NAME) causes.push(fieldTooLong(field, MAX_SIGNER_NAME));
  return causes;
}

/** The conditions' rules: a type, a status (only True for the final ones), Approved xor Denied, one of each type. */
function validateConditions(csr: any, old?: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const tolerate = (has: (c: any) => boolean) => !!old && has(old);
  const hasBoth = (c: any) => ofType(c, 'Approved').length > 0 && ofType(c, 'Denied').length > 0;
  const hasDuplicates = (c: any) => new Set(conditionsOf(c).map((x) => x?.type)).size !== conditionsOf(c).length;
  const hasEmptyType = (c: any) => conditionsOf(c).some((x) => !x?.type);
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(csr).forEach((c, i) => {
    const at = `status.conditions[${i}]`;
    if (!c?.type && !tolerate(hasEmptyType)) causes.push(fieldRequired(`${at}.type`));
    const allowed = TRUE_ONLY.has(c?.type) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c?.status) causes.push(fieldRequired(`${at}.status`));
    else if (!allowed.includes(c.status)) causes.push(fieldNotSupported(`${at}.status`, c.status, allowed));
    if (!tolerate(hasBoth)) {
      if (c?.type === 'Approved') {
        approved = true;
        if (denied) causes.push(fieldInvalid(`${at}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (c?.type === 'Denied') {
        denied = true;
        if (approved) causes.push(fieldInvalid(`${at}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!tolerate(hasDuplicates)) {
      if (seen.has(c?.type)) causes.push(fieldDuplicate(`${at}.type`, String(c?.type ?? '')));
      seen.add(c?.type);
    }
  });
  return causes;
}

/** A new request's spec: its PKCS#10 request (signature checked), usages, signer and duration. */
export function validateCsrCreate(csr: any): StatusCause[] {
  const spec = csr.spec ?? {};
  const causes: StatusCause[] = [];
  const pem = requestPem(csr);
  const parsed = pem === undefined ? { error: 'PEM block type must be CERTIFICATE REQUEST' } : parseCertificateRequest(pem);
  if ('error' in parsed) causes.push(fieldInvalid('spec.request', '<request data>', parsed.error));
  const usages: unknown[] = Array.isArray(spec.usages) ? spec.usages : [];
  if (usages.length === 0) causes.push(fieldRequired('spec.usages'));
  usages.forEach((u, i) => {
    if (!CSR_KEY_USAGES.includes(u as string)) causes.push(fieldNotSupported(`spec.usages[${i}]`, String(u), SUPPORTED_USAGES));
  });
  const seen = new Set<unknown>();
  usages.forEach((u, i) => {
    if (seen.has(u)) causes.push(fieldDuplicate(`spec.usages[${i}]`, String(u)));
    seen.add(u);
  });
  if (spec.signerName === LEGACY_UNKNOWN_SIGNER) causes.push(fieldInvalid('spec.signerName', spec.signerName, 'the legacy signerName is not allowed via this API version'));
  else causes.push(...validateSignerName('spec.signerName', spec.signerName));
  if (typeof spec.expirationSeconds === 'number' && spec.expirationSeconds < 600) {
    causes.push(fieldInvalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  if (causes.length === 0 && spec.signerName === KUBE_APISERVER_CLIENT_SIGNER && !('error' in parsed) && parsed.organizations.includes('system:masters')) {
    // CertificateSubjectRestriction: a certificate in system:masters would pass every authorization check for ever.
    throw forbidden(`certificatesigningrequests.${GROUP} "${csr.metadata.name}" is forbidden: use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`);
  }
  return causes;
}

/** On create, as kube-apiserver's strategy: no status (nobody creates an approved request), the requester from the request. */
export function prepareCsrCreate(csr: any, user: { username: string; groups: string[] } | undefined): any {
  csr.status = {};
  csr.spec ??= {};
  delete csr.spec.uid;
  delete csr.spec.extra;
  csr.spec.username = user?.username ?? '';
  if (user?.groups.length) csr.spec.groups = [...user.groups];
  else delete csr.spec.groups;
  return csr;
}

/** kube's populateConditionTimestamps: lastUpdateTime now where unset; lastTransitionTime kept from the same type and status, else now. */
function stampConditions(next: any, old: any): void {
  const at = rfc3339();
  for (const c of conditionsOf(next)) {
    c.lastUpdateTime ??= at;
    if (c.lastTransitionTime) continue;
    const same = conditionsOf(old).find((o) => o?.type === c.type && o?.status === c.status && o?.lastTransitionTime);
    c.lastTransitionTime = same?.lastTransitionTime ?? at;
  }
}

/**
 * An update's new state by the path it came through: the object keeps its spec and status (metadata only); `approval`
 * keeps the spec and certificate and takes the conditions; `status` keeps the spec and the Approved/Denied conditions
 * as they were (changing them is approval's) and takes the rest.
 */
export function prepareCsrUpdate(old: any, next: any, subresource?: string): any {
  next.spec = structuredClone(old.spec);
  if (subresource === 'approval') {
    next.status = { ...structuredClone(old.status ?? {}), conditions: conditionsOf(next) };
    if (next.status.conditions.length === 0) delete next.status.conditions;
  } else if (subresource === 'status') {
    const kept = conditionsOf(next).filter((c) => !APPROVAL_CONDITIONS.includes(c?.type));
    const approval = conditionsOf(old).filter((c) => APPROVAL_CONDITIONS.includes(c?.type));
    next.status = { ...(next.status ?? {}), conditions: [...approval, ...kept] };
    if (next.status.conditions.length === 0) delete next.status.conditions;
  } else {
    if (old.status === undefined) delete next.status;
    else next.status = structuredClone(old.status);
    return next;
  }
  stampConditions(next, old);
  return next;
}

/** ValidateCertificateSigningRequest{,Approval,Status}Update: what each path may change, and the rules of what is left. */
export function validateCsrUpdate(old: any, next: any, subresource?: string): StatusCause[] {
  const causes = validateConditions(next, old);
  for (const type of CSR_FINAL_CONDITIONS) {
    if (ofType(next, type).length < ofType(old, type).length) causes.push(fieldForbidden('status.conditions', `updates may not remove a condition of type ${goQuote(type)}`));
  }
  if (subresource !== 'approval') {
    for (const type of APPROVAL_CONDITIONS) {
      const before = ofType(old, type);
      const after = ofType(next, type);
      if (after.length > before.length) causes.push(fieldForbidden('status.conditions', `updates may not add a condition of type ${goQuote(type)}`));
      else if (after.length === before.length && JSON.stringify(after) !== JSON.stringify(before)) {
        causes.push(fieldForbidden('status.conditions', `updates may not modify a condition of type ${goQuote(type)}`));
      }
    }
  }
  const before = certificatePem(old);
  const after = certificatePem(next);
  if (after !== before) {
    if (subresource !== 'status') causes.push(fieldForbidden('status.certificate', 'updates may not set certificate content'));
    else if (before) causes.push(fieldForbidden('status.certificate', 'updates may not modify existing certificate content'));
    else {
      const problem = certificateChainProblem(after);
      if (problem) causes.push(fieldInvalid('status.certificate', '<certificate data>', problem));
    }
  }
  return causes;
}

/** Whether `user` may `verb` the signer: by its name, or by `<domain>/*` (kube's signer authorization). */
function maySigner(check: WriterCheck, verb: string, signerName: string): boolean {
  const attrs = { verb, apiGroup: GROUP, resource: 'signers' };
  if (check.allowed({ ...attrs, name: signerName })) return true;
  return check.allowed({ ...attrs, name: `${signerName.split('/')[0]}/*` });
}

/**
 * CertificateApproval and CertificateSigning: approving or denying needs `approve` on the request's signer, writing a
 * certificate needs `sign` on it (`signers` in certificates.k8s.io, named by the signer or `<domain>/*`).
 */
export function authorizeCsrWrite(check: WriterCheck): string | undefined {
  const signerName = String(check.old?.spec?.signerName ?? '');
  const name = `certificatesigningrequests.${GROUP} "${check.next.metadata.name}" is forbidden`;
  if (check.subresource === 'approval' && !maySigner(check, 'approve', signerName)) return `${name}: user not permitted to approve requests with signerName ${goQuote(signerName)}`;
  if (check.subresource === 'status' && certificatePem(check.next) !== certificatePem(check.old) && !maySigner(check, 'sign', signerName)) {
    return `${name}: user not permitted to sign requests with signerName ${goQuote(signerName)}`;
  }
  return undefined;
}

export const certificatesKindStrategies: Record<string, KindStrategy> = {
  'certificates.k8s.io/CertificateSigningRequest': {
    defaults: (csr, ctx) => prepareCsrCreate(csr, ctx.user),
    validateCreate: (csr) => validateCsrCreate(csr),
    prepareUpdate: prepareCsrUpdate,
    prepareStatusUpdate: (old, next) => prepareCsrUpdate(old, next, 'status'),
    validateUpdate: validateCsrUpdate,
    validateStatusUpdate: (old, next) => validateCsrUpdate(old, next, 'status'),
    authorizeWrite: authorizeCsrWrite,
  },
};
