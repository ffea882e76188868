import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { authorizeCsrWrite, prepareCsrCreate, prepareCsrUpdate, validateCsrCreate, validateCsrUpdate, validateSignerName } from './csr.strategy';
import { clientUsagesProblem, csrCleanupReason } from '../controllers/csr-signer';
import { createCertificateAuthority, signCertificateRequest } from '@openpacific/kube-api';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
async function request(name: string): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: ALG });
  return Buffer.from(csr.toString('pem')).toString('base64');
}
const csr = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'jane' }, spec, ...(status ? { status } : {}),
});
const approved = { type: 'Approved', status: 'True', reason: 'KubectlApprove', lastUpdateTime: '2026-12-04T10:00:00Z', lastTransitionTime: '2026-12-04T10:00:00Z' };
const messages = (causes: { field?: string; message?: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('CertificateSigningRequest strategy', () => {
  it('checks a signer name as kube-apiserver does', () => {
    expect(validateSignerName('spec.signerName', 'kubernetes.io/kube-apiserver-client')).toEqual([]);
    expect(validateSignerName('spec.signerName', 'example.com/ns.name')).toEqual([]);
    expect(messages(validateSignerName('s', ''))).toEqual(['s: Required value']);
    expect(messages(validateSignerName('s', 'a/b/c'))).toEqual(["s: Invalid value: \"a/b/c\": must be a fully qualified domain and path of the form 'example.com/signer-name'"]);
    expect(messages(validateSignerName('s', 'local/x'))).toEqual(['s: Invalid value: "local": should be a domain with at least two segments separated by dots']);
    expect(messages(validateSignerName('s', 'Example.com/x'))[0]).toMatch(/^s: Invalid value: "Example.com": validating label "Example": a lowercase RFC 1123 label must consist of/);
    expect(messages(validateSignerName('s', 'example.com/UP'))[0]).toMatch(/^s: Invalid value: "UP": validating label "UP": a lowercase RFC 1123 subdomain/);
  });

  it("validates a new request's spec and refuses a system:masters client certificate with a 403", async () => {
    expect(validateCsrCreate(csr({ request: await request('CN=jane'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 600 }))).toEqual([]);
    expect(messages(validateCsrCreate(csr({ request: await request('CN=jane'), signerName: 'example.com/x' })))).toEqual(['spec.usages: Required value']);
    expect(messages(validateCsrCreate(csr({ request: await request('CN=jane'), signerName: 'kubernetes.io/legacy-unknown', usages: ['any'], expirationSeconds: 599 })))).toEqual([
      'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
      'spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)',
    ]);
    expect(messages(validateCsrCreate(csr({ signerName: 'example.com/x', usages: ['any'] })))).toEqual(['spec.request: Invalid value: "<request data>": PEM block type must be CERTIFICATE REQUEST']);
    const masters = csr({ request: await request('CN=root, O=system:masters'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] });
    expect(() => validateCsrCreate(masters)).toThrow(expect.objectContaining({
      code: 403, message: 'certificatesigningrequests.certificates.k8s.io "jane" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
    }));
    // Another signer may be asked for system:masters: only the apiserver-client signer's certificates would log in.
    expect(validateCsrCreate({ ...masters, spec: { ...masters.spec, signerName: 'example.com/x' } })).toEqual([]);
  });

  it('writes the requester into the spec and starts with no status, whatever the client sent', () => {
    const created = prepareCsrCreate(csr({ username: 'admin', uid: 'x', groups: ['system:masters'], extra: { a: ['b'] } }, { conditions: [approved], certificate: 'Zm9v' }), { username: 'jane', groups: ['dev', 'system:authenticated'] });
    expect(created.spec).toEqual({ username: 'jane', groups: ['dev', 'system:authenticated'] });
    expect(created.status).toEqual({});
  });

  it('takes from each path only what it may write, with condition times', () => {
    const old = csr({ signerName: 'example.com/x', usages: ['any'] }, { conditions: [{ type: 'Custom', status: 'False', lastTransitionTime: '2026-12-04T09:00:00Z' }] });
    // The object: metadata only.
    const object = prepareCsrUpdate(old, { ...structuredClone(old), spec: { signerName: 'example.com/y' }, status: { certificate: 'Zm9v' } });
    expect(object.spec).toEqual(old.spec);
    expect(object.status).toEqual(old.status);
    // approval: the conditions, stamped; the certificate stays as it was.
    const approval = prepareCsrUpdate(old, { ...structuredClone(old), status: { conditions: [...old.status!.conditions as any[], { type: 'Approved', status: 'True' }], certificate: 'Zm9v' } }, 'approval');
    expect(approval.status.certificate).toBeUndefined();
    expect(approval.status.conditions[1]).toMatchObject({ type: 'Approved', lastUpdateTime: expect.stringMatching(/Z$/), lastTransitionTime: expect.stringMatching(/Z$/) });
    // status: the certificate and other conditions; Approved/Denied only as they were.
    const status = prepareCsrUpdate({ ...old, status: { conditions: [approved] } }, { ...structuredClone(old), status: { conditions: [{ type: 'Denied', status: 'True' }], certificate: 'Zm9v' } }, 'status');
    expect(status.status).toEqual({ conditions: [approved], certificate: 'Zm9v' });
  });

  it("enforces kube-apiserver's rules on conditions and the certificate per path", () => {
    const old = csr({ signerName: 'example.com/x' }, { conditions: [approved] });
    expect(messages(validateCsrUpdate(old, csr({}, { conditions: [] }), 'approval'))).toEqual(['status.conditions: Forbidden: updates may not remove a condition of type "Approved"']);
    expect(messages(validateCsrUpdate(old, csr({}, { conditions: [approved, { type: 'Denied', status: 'True' }] }), 'approval'))).toEqual([
      'status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    ]);
    expect(messages(validateCsrUpdate(old, csr({}, { conditions: [approved, { type: 'Failed', status: 'False' }, { type: 'Failed', status: 'True' }] }), 'status'))).toEqual([
      'status.conditions[1].status: Unsupported value: "False": supported values: "True"',
      'status.conditions[2].type: Duplicate value: "Failed"',
    ]);
    expect(messages(validateCsrUpdate(csr({}), csr({}, { conditions: [approved] }), 'status'))).toEqual(['status.conditions: Forbidden: updates may not add a condition of type "Approved"']);
    expect(messages(validateCsrUpdate(old, csr({}, { conditions: [approved], certificate: 'Zm9v' }), 'approval'))).toEqual(['status.certificate: Forbidden: updates may not set certificate content']);
    expect(messages(validateCsrUpdate(old, csr({}, { conditions: [approved], certificate: Buffer.from('junk').toString('base64') }), 'status'))).toEqual([
      'status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block',
    ]);
  });

  it('asks RBAC for approve or sign on the signer, by name or by its domain', () => {
    const old = csr({ signerName: 'example.com/x' }, {});
    const grants = (allowed: string[]) => ({
      user: { username: 'u', groups: [] }, old, next: csr({ signerName: 'example.com/x' }, { conditions: [approved], certificate: 'Zm9v' }),
      allowed: (a: { verb: string; resource: string; name?: string }) => a.resource === 'signers' && allowed.includes(`${a.verb} ${a.name}`),
    });
    expect(authorizeCsrWrite({ ...grants([]), subresource: 'approval' })).toBe('certificatesigningrequests.certificates.k8s.io "jane" is forbidden: user not permitted to approve requests with signerName "example.com/x"');
    expect(authorizeCsrWrite({ ...grants(['approve example.com/x']), subresource: 'approval' })).toBeUndefined();
    expect(authorizeCsrWrite({ ...grants(['approve example.com/*']), subresource: 'approval' })).toBeUndefined();
    expect(authorizeCsrWrite({ ...grants(['approve example.com/*']), subresource: 'status' })).toBe('certificatesigningrequests.certificates.k8s.io "jane" is forbidden: user not permitted to sign requests with signerName "example.com/x"');
    expect(authorizeCsrWrite({ ...grants(['sign example.com/*']), subresource: 'status' })).toBeUndefined();
    expect(authorizeCsrWrite({ ...grants([]), subresource: undefined })).toBeUndefined();
  });

  it("names the usages a client certificate may not have, as kube-controller-manager's signer does", () => {
    expect(clientUsagesProblem(['client auth'])).toBeUndefined();
    expect(clientUsagesProblem(['digital signature', 'key encipherment', 'client auth'])).toBeUndefined();
    expect(clientUsagesProblem(['server auth', 'client auth'])).toBe('invalid usage for client certificate: server auth');
    expect(clientUsagesProblem(['digital signature'])).toBe('missing required usage for client certificate: client auth');
  });

  it("deletes what kube-controller-manager's CSR cleaner deletes, when it would", async () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const made = (hoursAgo: number, status?: any) => ({ metadata: { name: 'x', creationTimestamp: at(hoursAgo) }, spec: {}, ...(status ? { status } : {}) });
    expect(csrCleanupReason(made(23, {}), now)).toBeUndefined();
    expect(csrCleanupReason(made(25, {}), now)).toBe('pending for more than a day');
    expect(csrCleanupReason(made(2, { conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: at(0.5) }] }), now)).toBeUndefined();
    expect(csrCleanupReason(made(2, { conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: at(1.5) }] }), now)).toBe('denied more than an hour ago');
    expect(csrCleanupReason(made(2, { conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: at(1.5) }, { type: 'Failed', status: 'True', lastUpdateTime: at(1.2) }] }), now)).toBe('failed more than an hour ago');
    // Approved but not issued (a signer of its own, not running): kept, as kube keeps it, until a day has passed.
    expect(csrCleanupReason(made(2, { conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: at(1.5) }] }), now)).toBeUndefined();
    const ca = await createCertificateAuthority();
    const pem = await signCertificateRequest(ca, Buffer.from(await request('CN=jane'), 'base64').toString(), ['client auth'], 600);
    // The certificate is real, issued now for ten minutes: times from here on are the clock's.
    const real = Date.now();
    const ago = (hours: number) => new Date(real - hours * 3600_000).toISOString();
    const issued = (hoursAgo: number) => ({ metadata: { name: 'x', creationTimestamp: ago(hoursAgo) }, spec: {}, status: { conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: ago(hoursAgo) }], certificate: Buffer.from(pem).toString('base64') } });
    expect(csrCleanupReason(issued(0), real)).toBeUndefined();
    expect(csrCleanupReason(issued(1.5), real)).toBe('issued more than an hour ago');
    expect(csrCleanupReason(issued(0), real + 30 * 60_000)).toBe('its certificate has expired');
  });
});
