import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, TestCluster } from '@openpacific/testing';
import { kubectlJson } from './support/kubectl-json';

/**
 * certificates.k8s.io/v1 CertificateSigningRequests through the real kubectl, as Kubernetes' documentation adds a
 * user: a key and a request made with openssl, the request created, `kubectl certificate approve`, the certificate
 * read back and put in a kubeconfig; the gateway then knows the user by the certificate (CN the name, O the groups)
 * and RBAC decides what it may do. Also: deny, the signer failing a request for usages a client certificate may not
 * have, kube-apiserver's 422s on a bad request (nothing written), CertificateSubjectRestriction's 403 for
 * system:masters, CertificateApproval's 403 for a user who may update approvals but not approve for the signer,
 * and the rules of the approval conditions through /approval itself.
 */
describe('CertificateSigningRequests and client certificates', () => {
  let cluster: TestCluster;
  let dir: string;
  const kubectl = (args: string[], input?: string, env?: Record<string, string>) => cluster.kubectl(args, { ...(input === undefined ? {} : { input }), ...(env ? { env } : {}) });
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  /** A key and a PKCS#10 request for `subject` (`/CN=jane/O=dev`), made as a user makes them; the request's PEM, base64. */
  const request = (name: string, subject: string, keyArgs = ['genrsa', '-out', `${name}.key`, '2048']) => {
    openssl(keyArgs);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    return readFileSync(join(dir, `${name}.csr`)).toString('base64');
  };
  const csr = (name: string, spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec });
  /** A kubeconfig of its own for a user known by its certificate (no token). */
  const kubeconfigFor = (user: string) => {
    const path = join(dir, `${user}.kubeconfig`);
    writeFileSync(join(dir, 'ca.crt'), cluster.caCertPem);
    const env = { KUBECONFIG: path };
    const run = (args: string[]) => execFileSync('kubectl', ['config', ...args], { env: { ...process.env, ...env } });
    run(['set-cluster', 'openpacific', `--server=${cluster.server}`, `--certificate-authority=${join(dir, 'ca.crt')}`, '--embed-certs=true']);
    run(['set-credentials', user, `--client-key=${join(dir, `${user}.key`)}`, `--client-certificate=${join(dir, `${user}.crt`)}`, '--embed-certs=true']);
    run(['set-context', user, '--cluster=openpacific', `--user=${user}`]);
    run(['use-context', user]);
    return env;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'op-csr-'));
    cluster = await startCluster({ label: 'certificates', hostCount: 0 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('signs an approved request for a client certificate that then authenticates its user, whom RBAC governs', async () => {
    const created = await kubectl(['apply', '-f', '-'], csr('jane', {
      request: request('jane', '/CN=jane/O=dev/O=ops'), signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 86_400, usages: ['client auth'],
      // The requester is the server's to write: what a client claims is replaced.
      username: 'someone-else', groups: ['system:masters'],
    }));
    expect(created.stderr).toBe('');
    let table = (await kubectl(['get', 'csr'])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/);
    expect(table[1]).toMatch(/^jane\s+\d+s\s+kubernetes\.io\/kube-apiserver-client\s+admin\s+24h\s+Pending$/);
    const pending = await kubectlJson(cluster, ['get', 'csr', 'jane']);
    expect(pending.spec).toMatchObject({ username: 'admin', groups: ['system:masters', 'system:authenticated'] });
    expect(pending.status).toEqual({});

    expect((await kubectl(['certificate', 'approve', 'jane'])).stdout).toBe('certificatesigningrequest.certificates.k8s.io/jane approved\n');
    let issued: any;
    for (let i = 0; i < 100 && !issued?.status?.certificate; i++) {
      issued = await kubectlJson(cluster, ['get', 'csr', 'jane']);
      if (!issued.status?.certificate) await new Promise((r) => setTimeout(r, 100));
    }
    expect(issued.status.conditions).toEqual([expect.objectContaining({ type: 'Approved', status: 'True', reason: 'KubectlApprove', lastUpdateTime: expect.any(String), lastTransitionTime: expect.any(String) })]);
    table = (await kubectl(['get', 'csr', 'jane', '--no-headers'])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/\sApproved,Issued$/);
    writeFileSync(join(dir, 'jane.crt'), Buffer.from(issued.status.certificate, 'base64'));
    // The certificate: the request's subject, the cluster's CA as issuer, a client certificate for 24 hours.
    const text = openssl(['x509', '-in', 'jane.crt', '-noout', '-subject', '-issuer', '-ext', 'extendedKeyUsage,basicConstraints', '-dates']).toString();
    expect(text).toMatch(/subject=CN ?= ?jane, O ?= ?dev, O ?= ?ops/);
    expect(text).toMatch(/TLS Web Client Authentication/);
    expect(text).toMatch(/CA:FALSE/);
    const [, notBefore] = /notBefore=(.+)/.exec(text)!;
    const [, notAfter] = /notAfter=(.+)/.exec(text)!;
    expect((Date.parse(notAfter) - Date.parse(notBefore)) / 3600_000).toBeCloseTo(24 + 5 / 60, 1);
    writeFileSync(join(dir, 'ca-check.crt'), cluster.caCertPem);
    expect(openssl(['verify', '-CAfile', 'ca-check.crt', 'jane.crt']).toString()).toBe('jane.crt: OK\n');

    const jane = kubeconfigFor('jane');
    const whoami = await kubectl(['auth', 'whoami'], undefined, jane);
    expect(whoami.stdout).toMatch(/Username\s+jane\n/);
    expect(whoami.stdout).toMatch(/Groups\s+\[dev ops system:authenticated\]/);
    const refused = await kubectl(['get', 'pods'], undefined, jane);
    expect(refused.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    // A group of the certificate is a subject RBAC binds like any other.
    expect((await kubectl(['create', 'rolebinding', 'ops-view', '--clusterrole=view', '--group=ops'])).code).toBe(0);
    const allowed = await kubectl(['get', 'pods'], undefined, jane);
    expect(allowed.stderr).toBe('No resources found in default namespace.\n');
    expect(allowed.code).toBe(0);
  });

  it('accepts ECDSA keys, denies on request, and fails a client certificate asked for usages it may not have', async () => {
    await kubectl(['apply', '-f', '-'], csr('ec-user', {
      request: request('ec-user', '/CN=ec-user', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec-user.key']),
      signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature', 'client auth'],
    }));
    await kubectl(['apply', '-f', '-'], csr('server-usage', { request: request('server-usage', '/CN=web'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['server auth'] }));
    await kubectl(['apply', '-f', '-'], csr('to-deny', { request: request('to-deny', '/CN=mallory'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] }));
    expect((await kubectl(['certificate', 'approve', 'ec-user', 'server-usage'])).code).toBe(0);
    expect((await kubectl(['certificate', 'deny', 'to-deny'])).stdout).toBe('certificatesigningrequest.certificates.k8s.io/to-deny denied\n');
    let rows = '';
    for (let i = 0; i < 100 && !(/ec-user.*Approved,Issued/.test(rows) && /server-usage.*Approved,Failed/.test(rows)); i++) {
      rows = (await kubectl(['get', 'csr', '--no-headers'])).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toMatch(/^ec-user\s.*\sApproved,Issued$/m);
    expect(rows).toMatch(/^server-usage\s.*\sApproved,Failed$/m);
    expect(rows).toMatch(/^to-deny\s.*\sDenied$/m);
    const failed = await kubectlJson(cluster, ['get', 'csr', 'server-usage']);
    expect(failed.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'SignerValidationFailure', message: 'invalid usage for client certificate: server auth' });
    expect(failed.status.certificate).toBeUndefined();
    expect((await kubectlJson(cluster, ['get', 'csr', 'to-deny'])).status.certificate).toBeUndefined();
    // The field selector kube-apiserver offers on CertificateSigningRequests.
    const selected = await kubectl(['get', 'csr', '--field-selector', 'spec.signerName=kubernetes.io/kube-apiserver-client', '-o', 'name']);
    expect(selected.stdout).toContain('certificatesigningrequest.certificates.k8s.io/ec-user\n');
    expect((await kubectl(['get', 'csr', '--field-selector', 'spec.signerName=example.com/none', '-o', 'name'])).stdout).toBe('');

    writeFileSync(join(dir, 'ec-user.crt'), Buffer.from((await kubectlJson(cluster, ['get', 'csr', 'ec-user'])).status.certificate, 'base64'));
    expect((await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], undefined, kubeconfigFor('ec-user'))).stdout).toBe('ec-user');
  });

  it('refuses bad requests with 422s naming the field, a system:masters client certificate with a 403, and writes nothing', async () => {
    const bad = await kubectl(['create', '-f', '-'], csr('bad', {
      request: Buffer.from('not a request').toString('base64'), signerName: 'example.com', usages: ['client auth', 'client auth', 'flying'], expirationSeconds: 60,
    }));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The CertificateSigningRequest "bad" is invalid: \n');
    expect(bad.stderr).toContain('* spec.request: Invalid value: "<request data>": PEM block type must be CERTIFICATE REQUEST\n');
    expect(bad.stderr).toContain('* spec.usages[1]: Duplicate value: "client auth"\n');
    expect(bad.stderr).toMatch(/\* spec\.usages\[2\]: Unsupported value: "flying": supported values: "any", "cert sign", "client auth", /);
    expect(bad.stderr).toContain("* spec.signerName: Invalid value: \"example.com\": must be a fully qualified domain and path of the form 'example.com/signer-name'\n");
    expect(bad.stderr).toContain('* spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)\n');
    const legacy = await kubectl(['create', '-f', '-'], csr('legacy', { request: request('legacy', '/CN=legacy'), signerName: 'kubernetes.io/legacy-unknown', usages: ['client auth'] }));
    expect(legacy.stderr).toContain('spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version');
    const masters = await kubectl(['create', '-f', '-'], csr('masters', { request: request('masters', '/CN=root/O=system:masters'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] }));
    expect(masters.stderr.trim()).toBe('Error from server (Forbidden): error when creating "STDIN": certificatesigningrequests.certificates.k8s.io "masters" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
    for (const name of ['bad', 'legacy', 'masters']) expect((await kubectl(['get', 'csr', name])).stderr).toContain(`certificatesigningrequests.certificates.k8s.io "${name}" not found`);
  });

  it('lets only those who may approve for the signer approve, and keeps the approval conditions as Kubernetes does', async () => {
    await kubectl(['apply', '-f', '-'], csr('custom', { request: request('custom', '/CN=custom'), signerName: 'example.com/my-signer', usages: ['client auth'] }));
    // An approver who may update approvals but holds no `approve` on the signer: kube's CertificateApproval refuses.
    await kubectl(['create', 'serviceaccount', 'approver']);
    await kubectl(['create', 'clusterrole', 'csr-approval', '--verb=get,list,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval']);
    await kubectl(['create', 'clusterrolebinding', 'csr-approval', '--clusterrole=csr-approval', '--serviceaccount=default:approver']);
    const token = (await kubectl(['create', 'token', 'approver'])).stdout.trim();
    const refused = await kubectl(['certificate', 'approve', 'custom', `--token=${token}`]);
    expect(refused.stderr.trim()).toBe('Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "custom" is forbidden: user not permitted to approve requests with signerName "example.com/my-signer"');
    expect((await kubectlJson(cluster, ['get', 'csr', 'custom'])).status).toEqual({});
    // `approve` on the signers of the domain (`<domain>/*`), as Kubernetes' documentation grants it.
    // From a manifest, as Kubernetes' documentation writes it: `signers` is no resource discovery lists, so kubectl create clusterrole refuses it.
    const role = await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'signer-approver' },
      rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['example.com/*'], verbs: ['approve'] }],
    }));
    expect(role.stderr).toBe('');
    await kubectl(['create', 'clusterrolebinding', 'signer-approver', '--clusterrole=signer-approver', '--serviceaccount=default:approver']);
    expect((await kubectl(['certificate', 'approve', 'custom', `--token=${token}`])).stdout).toBe('certificatesigningrequest.certificates.k8s.io/custom approved\n');
    // No signer here for example.com: it stays approved, unsigned.
    expect((await kubectl(['get', 'csr', 'custom', '--no-headers'])).stdout).toMatch(/\sApproved\n$/);

    // Kubernetes' bootstrap role for its client signer does the same for kubernetes.io/kube-apiserver-client requests.
    await kubectl(['apply', '-f', '-'], csr('by-role', { request: request('by-role', '/CN=by-role'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] }));
    expect((await kubectl(['certificate', 'approve', 'by-role', `--token=${token}`])).stderr).toContain('user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"');
    await kubectl(['create', 'clusterrolebinding', 'client-approver', '--clusterrole=system:certificates.k8s.io:kube-apiserver-client-approver', '--serviceaccount=default:approver']);
    expect((await kubectl(['certificate', 'approve', 'by-role', `--token=${token}`])).stdout).toBe('certificatesigningrequest.certificates.k8s.io/by-role approved\n');

    // Approved and Denied at once, through /approval itself (kubectl refuses to send it): a 422, nothing written.
    const approved = await kubectlJson(cluster, ['get', 'csr', 'custom']);
    const both = { ...approved, status: { conditions: [...approved.status.conditions, { type: 'Denied', status: 'True', reason: 'Changed', message: 'no' }] } };
    writeFileSync(join(dir, 'both.json'), JSON.stringify(both));
    const put = await kubectl(['replace', '--raw', '/apis/certificates.k8s.io/v1/certificatesigningrequests/custom/approval', '-f', join(dir, 'both.json')]);
    expect(put.stderr).toBe('The CertificateSigningRequest "custom" is invalid: status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive\n');
    // Removing the approval: forbidden. Adding it through the object, or a certificate through /approval: kept out.
    writeFileSync(join(dir, 'none.json'), JSON.stringify({ ...approved, status: {} }));
    const removed = await kubectl(['replace', '--raw', '/apis/certificates.k8s.io/v1/certificatesigningrequests/custom/approval', '-f', join(dir, 'none.json')]);
    expect(removed.stderr).toBe('The CertificateSigningRequest "custom" is invalid: status.conditions: Forbidden: updates may not remove a condition of type "Approved"\n');
    expect((await kubectlJson(cluster, ['get', 'csr', 'custom'])).status.conditions.map((c: any) => c.type)).toEqual(['Approved']);
    // The spec is the request's for good: an update of the object keeps it, and labels still change.
    const labelled = await kubectl(['label', 'csr', 'custom', 'team=a']);
    expect(labelled.code).toBe(0);
    const after = await kubectlJson(cluster, ['get', 'csr', 'custom']);
    expect(after.metadata.labels).toEqual({ team: 'a' });
    expect(after.spec.signerName).toBe('example.com/my-signer');
  });
});
