import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * networking.k8s.io/v1 Ingress through the real kubectl: the default IngressClass, an Ingress routed by host and
 * path to two Services' pods on the ingress address, 404 for an unknown path, a 422 for a bad Ingress.
 */
const run = randomBytes(4).toString('hex');
const root = `/tmp/openpacific-ing-e2e-${run}`;

/** A busybox httpd answering `<text>` on every path under /, and under /<app>/ as well. */
const webPod = (app: string) => {
  const d = `${root}/${app}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: app, labels: { app } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'web',
        image: 'busybox',
        command: ['sh', '-c', `mkdir -p ${d}/${app} && echo ${app}-says-hi > ${d}/index.html && cp ${d}/index.html ${d}/${app}/index.html && exec httpd -f -p $POD_IP:8080 -h ${d}`],
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      }],
    },
  };
};
const service = (app: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: app }, spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

function get(address: string, host: string, path: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: address, port: 80, path, headers: { host }, agent: false, timeout: 5000, insecureHTTPParser: true }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
  });
}

/** One HTTPS GET to port 443 with SNI `host`: the status, body and the certificate's CN. */
function getTls(address: string, host: string, path: string): Promise<{ status?: number; body?: string; cn?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = https.get({ host: address, port: 443, path, servername: host, headers: { host }, agent: false, timeout: 5000, rejectUnauthorized: false, insecureHTTPParser: true }, (res) => {
      const cn = String((res.socket as any).getPeerCertificate?.()?.subject?.CN ?? '');
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body: body.trim(), cn }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
  });
}

describe('Ingress', () => {
  let cluster: TestCluster;
  const json = (args: string[]) => kubectlJson(cluster, args);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'ingress' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('starts with the default IngressClass', async () => {
    const r = await cluster.kubectl(['get', 'ingressclass']);
    expect(r.stdout).toMatch(/^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\n.*openpacific\s+openpacific\.io\/ingress\s+<none>/);
  });

  it('refuses a bad Ingress with a 422 naming the fields, and writes nothing', async () => {
    const bad = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'bad' }, spec: { rules: [{ host: 'Not_A_Host', http: { paths: [{ path: 'api', pathType: 'Prefix', backend: backend('a') }, { path: '/x', backend: backend('a') }] } }] } };
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Ingress "bad" is invalid');
    expect(r.stderr).toContain('spec.rules[0].host: Invalid value: "Not_A_Host": a lowercase RFC 1123 subdomain');
    expect(r.stderr).toContain('spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path');
    expect(r.stderr).toContain('spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified');
    expect((await cluster.kubectl(['get', 'ing', 'bad'])).stderr).toContain('NotFound');
  });

  it('routes by host and path to the right pods; an unknown path is a 404', async () => {
    for (const app of ['apple', 'banana']) {
      await kubectlApply(cluster, webPod(app));
      await kubectlApply(cluster, service(app));
    }
    await kubectlApply(cluster, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'fruit' },
      spec: { rules: [{ host: 'fruit.example.com', http: { paths: [{ path: '/apple', pathType: 'Prefix', backend: backend('apple') }, { path: '/banana', pathType: 'Prefix', backend: backend('banana') }] } }] },
    });
    const ing = await json(['get', 'ing', 'fruit']);
    expect(ing.spec.ingressClassName).toBe('openpacific');
    const address = await eventually(async () => {
      const ip = (await json(['get', 'ing', 'fruit'])).status?.loadBalancer?.ingress?.[0]?.ip;
      expect(ip).toBeTruthy();
      return ip as string;
    }, { timeoutMs: 30_000 });
    const table = await cluster.kubectl(['get', 'ing', 'fruit']);
    expect(table.stdout).toMatch(new RegExp(`^NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE\\nfruit\\s+openpacific\\s+fruit\\.example\\.com\\s+${address.replace(/\./g, '\\.')}\\s+80\\s`));
    await eventually(async () => {
      expect(await get(address, 'fruit.example.com', '/apple/')).toMatchObject({ status: 200, body: 'apple-says-hi' });
      expect(await get(address, 'fruit.example.com', '/banana/')).toMatchObject({ status: 200, body: 'banana-says-hi' });
    }, { timeoutMs: 60_000 });
    expect(await get(address, 'fruit.example.com', '/cherry')).toMatchObject({ status: 404 });
    expect(await get(address, 'other.example.com', '/apple/')).toMatchObject({ status: 404 });
    // The Sync Event is its own append, after the status that carries the address.
    await eventually(async () => expect((await cluster.kubectl(['describe', 'ing', 'fruit'])).stdout).toMatch(/Normal\s+Sync\s+.*Scheduled for sync/), { timeoutMs: 15_000 });
  }, 120_000);

  it('serves HTTPS on 443 with the tls Secret of the host (SNI)', async () => {
    mkdirSync(root, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=fruit.example.com', '-keyout', `${root}/tls.key`, '-out', `${root}/tls.crt`], { stdio: 'ignore' });
    const created = await cluster.kubectl(['create', 'secret', 'tls', 'fruit-tls', `--cert=${root}/tls.crt`, `--key=${root}/tls.key`]);
    expect(created.code).toBe(0);
    const r = await cluster.kubectl(['patch', 'ing', 'fruit', '--type=merge', '-p', JSON.stringify({ spec: { tls: [{ hosts: ['fruit.example.com'], secretName: 'fruit-tls' }] } })]);
    expect(r.code).toBe(0);
    expect((await cluster.kubectl(['get', 'ing', 'fruit'])).stdout).toMatch(/\s80, 443\s/);
    const address = (await json(['get', 'ing', 'fruit'])).status.loadBalancer.ingress[0].ip;
    await eventually(async () => {
      expect(await getTls(address, 'fruit.example.com', '/banana/')).toMatchObject({ status: 200, body: 'banana-says-hi', cn: 'fruit.example.com' });
    }, { timeoutMs: 30_000 });
  }, 60_000);
});
