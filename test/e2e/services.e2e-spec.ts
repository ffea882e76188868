import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { rmSync } from 'node:fs';
import * as http from 'node:http';
import { inCIDR } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * core v1 Services through the real kubectl: EndpointSlices from Ready pods, round-robin proxying on the cluster
 * IP and the LoadBalancer ingress, refusal without Ready endpoints, validation, service env vars, describe Events.
 */
const run = randomBytes(4).toString('hex');
const dirOf = (pod: string) => `/tmp/openpacific-svc-e2e-${run}/${pod}`;

/** A busybox httpd answering its own name; GET /cgi-bin/unready removes the file its readiness probe checks. */
const webPod = (name: string) => {
  const d = dirOf(name);
  const script = [
    `mkdir -p ${d}/cgi-bin`,
    `echo $POD_NAME > ${d}/index.html`,
    `printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\nrm -f ${d}/ready\\necho unready\\n' > ${d}/cgi-bin/unready`,
    `chmod +x ${d}/cgi-bin/unready`,
    `printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REQUEST_METHOD $QUERY_STRING $(head -c $CONTENT_LENGTH) $CONTENT_LENGTH $CONTENT_TYPE\\n' > ${d}/cgi-bin/echo`,
    `chmod +x ${d}/cgi-bin/echo`,
    `printf '<a href="/index.html">home</a> <a href=other.html>next</a>' > ${d}/links.html`,
    `touch ${d}/ready`,
    `exec httpd -f -p $POD_IP:8080 -h ${d}`,
  ].join(' && ');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'web',
          image: 'busybox',
          command: ['sh', '-c', script],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { exec: { command: ['test', '-f', `${d}/ready`] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    },
  };
};

const service = (name: string, extra: any = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8000, targetPort: 'http' }], ...extra },
});

/** One GET on a new connection: the body, or the error code (ECONNREFUSED...). busybox CGI headers end in a bare LF, hence the lenient parser. */
function get(host: string, port: number, path = '/'): Promise<{ body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: 5000, insecureHTTPParser: true }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ body: body.trim() }));
      res.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
  });
}

async function hits(host: string, port: number, n: number): Promise<{ bodies: string[]; errors: string[] }> {
  const bodies: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await get(host, port);
    if (r.error !== undefined) errors.push(r.error);
    else bodies.push(r.body!);
  }
  return { bodies, errors };
}

describe('Services', () => {
  let cluster: TestCluster;
  const json = (args: string[]) => kubectlJson(cluster, args);
  const apply = (obj: object) => kubectlApply(cluster, obj);
  const readyPodNames = async (): Promise<string[]> => {
    const slice = (await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])).items[0];
    return (slice?.endpoints ?? []).filter((e: any) => e.conditions.ready).map((e: any) => e.targetRef.name).sort();
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'services' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(`/tmp/openpacific-svc-e2e-${run}`, { recursive: true, force: true });
  }, 60_000);

  it('refuses bad ports, protocols and types with 422s naming the field', async () => {
    const r1 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(service('bad', { ports: [{ port: 70000 }] })) });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain('The Service "bad" is invalid');
    expect(r1.stderr).toContain('* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
    const r2 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(service('bad', { ports: [{ port: 80, protocol: 'HTTP' }] })) });
    expect(r2.stderr).toContain('spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"');
    const r3 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(service('bad', { type: 'Magic' })) });
    expect(r3.stderr).toContain('spec.type: Unsupported value: "Magic"');
    const r4 = await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/bad']);
    expect(r4.stderr).toContain('NotFound');
  });

  it('refuses a name that is no DNS-1035 label, and node ports or cluster IPs already allocated, as kube-apiserver words them', async () => {
    const badName = await cluster.kubectl(['create', 'svc', 'clusterip', '1svc', '--tcp=80']);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain(`metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);

    // A node port another Service holds; two ports of one Service on one node port (an update: validation's duplicate).
    expect((await cluster.kubectl(['create', 'svc', 'nodeport', 'np-a', '--tcp=80', '--node-port=31219'])).code).toBe(0);
    const taken = await cluster.kubectl(['create', 'svc', 'nodeport', 'np-b', '--tcp=80', '--node-port=31219']);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('Service "np-b" is invalid: spec.ports[0].nodePort: Invalid value: 31219: provided port is already allocated');
    const twice = await cluster.kubectl(['patch', 'svc', 'np-a', '--type=json', '-p', JSON.stringify([
      { op: 'replace', path: '/spec/ports', value: [{ name: 'a', port: 80, nodePort: 31500 }, { name: 'b', port: 81, nodePort: 31500 }] },
    ])]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('spec.ports[1].nodePort: Duplicate value: 31500');
    // Auto-assigned node ports never take a held one.
    const auto = await json(['create', 'svc', 'nodeport', 'np-c', '--tcp=80,81']);
    const assigned = auto.spec.ports.map((p: any) => p.nodePort);
    expect(new Set(assigned).size).toBe(2);
    for (const p of assigned) expect(p >= 30000 && p <= 32767 && p !== 31219).toBe(true);

    // A cluster IP another Service holds: kube names spec.clusterIPs.
    const clash = await cluster.kubectl(['create', 'svc', 'clusterip', 'ip-clash', '--tcp=80', `--clusterip=${auto.spec.clusterIP}`]);
    expect(clash.stderr).toContain(`spec.clusterIPs: Invalid value: []string{"${auto.spec.clusterIP}"}: failed to allocate IP ${auto.spec.clusterIP}: provided IP is already allocated`);

    // A headless Service gets kube's IP family defaults.
    expect((await json(['create', 'svc', 'clusterip', 'headless', '--clusterip=None'])).spec).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it('clears node ports going to ClusterIP and the cluster IP going to ExternalName, printing the externalName', async () => {
    // NodePort -> ClusterIP: the server drops the node ports it allocated, and another Service may take them.
    const toClusterIP = await cluster.kubectl(['patch', 'svc', 'np-a', '-p', '{"spec":{"type":"ClusterIP"}}']);
    expect(toClusterIP.stderr).toBe('');
    const plain = await json(['get', 'svc', 'np-a']);
    expect(plain.spec.type).toBe('ClusterIP');
    expect(plain.spec.ports[0].nodePort).toBeUndefined();
    expect((await cluster.kubectl(['create', 'svc', 'nodeport', 'np-b', '--tcp=80', '--node-port=31219'])).code).toBe(0);

    // NodePort -> ExternalName: cluster IPs, families and policy cleared, the address free again.
    const before = await json(['get', 'svc', 'np-c']);
    const toExternal = await cluster.kubectl(['patch', 'svc', 'np-c', '-p', '{"spec":{"type":"ExternalName","externalName":"db.example.com"}}']);
    expect(toExternal.stderr).toBe('');
    const external = await json(['get', 'svc', 'np-c']);
    expect(external.spec).toMatchObject({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
    for (const f of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) expect(external.spec[f]).toBeUndefined();
    expect(external.spec.ports.map((p: any) => p.nodePort)).toEqual([undefined, undefined]);
    expect((await cluster.kubectl(['create', 'svc', 'clusterip', 'reuse', '--tcp=80', `--clusterip=${before.spec.clusterIP}`])).code).toBe(0);
    const table = await cluster.kubectl(['get', 'svc', 'np-c']);
    expect(table.stdout).toMatch(/np-c\s+ExternalName\s+<none>\s+db\.example\.com\s+80\/TCP,81\/TCP/);
    // An ExternalName Service made as such gets sessionAffinity None.
    expect((await json(['create', 'svc', 'externalname', 'ext', '--external-name=api.example.com'])).spec).toMatchObject({ sessionAffinity: 'None' });

    for (const name of ['np-a', 'np-b', 'np-c', 'headless', 'reuse', 'ext']) expect((await cluster.kubectl(['delete', 'svc', name])).code).toBe(0);
  });

  it('counts node ports against a ResourceQuota with services.nodeports', async () => {
    expect((await cluster.kubectl(['create', 'namespace', 'svc-quota'])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'quota', 'np', '-n', 'svc-quota', '--hard=services.nodeports=1'])).code).toBe(0);
    const over = await cluster.kubectl(['create', 'svc', 'nodeport', 'two', '-n', 'svc-quota', '--tcp=80,81']);
    expect(over.code).not.toBe(0);
    expect(over.stderr).toContain('exceeded quota: np, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
    expect((await cluster.kubectl(['create', 'svc', 'nodeport', 'one', '-n', 'svc-quota', '--tcp=80'])).code).toBe(0);
    await eventually(async () => expect((await json(['get', 'quota', 'np', '-n', 'svc-quota'])).status?.used).toEqual({ 'services.nodeports': '1' }), { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['create', 'svc', 'clusterip', 'plain', '-n', 'svc-quota', '--tcp=80'])).code).toBe(0);
    const upgrade = await cluster.kubectl(['patch', 'svc', 'plain', '-n', 'svc-quota', '-p', '{"spec":{"type":"NodePort"}}']);
    expect(upgrade.stderr).toContain('exceeded quota: np, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1');
    expect((await cluster.kubectl(['delete', 'namespace', 'svc-quota', '--wait=false'])).code).toBe(0);
  });

  it('allocates a stable cluster IP, keeps it on update and refuses to change it', async () => {
    await apply(service('web'));
    const svc = await json(['get', 'svc', 'web']);
    expect(inCIDR(svc.spec.clusterIP, cluster.network.serviceCIDR)).toBe(true);
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
    expect(svc.spec.ports[0]).toMatchObject({ protocol: 'TCP', targetPort: 'http' });
    await apply({ ...service('web'), metadata: { name: 'web', labels: { tier: 'front' } } });
    expect((await json(['get', 'svc', 'web'])).spec.clusterIP).toBe(svc.spec.clusterIP);
    const r = await cluster.kubectl(['patch', 'svc', 'web', '-p', '{"spec":{"clusterIP":"127.202.0.1","clusterIPs":["127.202.0.1"]}}']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.clusterIPs[0]: Invalid value');
    expect(r.stderr).toContain('may not change once set');
    const table = await cluster.kubectl(['get', 'svc', 'web']);
    expect(table.stdout).toMatch(/NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(table.stdout).toMatch(new RegExp(`web\\s+ClusterIP\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+8000/TCP`));
  });

  it('a Service with no Ready endpoints refuses connections at once', async () => {
    const svc = await json(['get', 'svc', 'web']);
    expect(await readyPodNames()).toEqual([]);
    expect(await get(svc.spec.clusterIP, 8000)).toEqual({ error: 'ECONNREFUSED' });
  });

  it('balances over three Ready pods, follows a deleted and an unready pod', async () => {
    for (const name of ['web-a', 'web-b', 'web-c']) await apply(webPod(name));
    await eventually(async () => expect(await readyPodNames()).toEqual(['web-a', 'web-b', 'web-c']), { timeoutMs: 90_000 });
    const slice = (await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])).items[0];
    expect(slice).toMatchObject({ addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
    for (const e of slice.endpoints) {
      expect(e.conditions).toEqual({ ready: true, serving: true, terminating: false });
      expect(e.targetRef.kind).toBe('Pod');
      expect(e.nodeName).toBeTruthy();
    }
    const ip = (await json(['get', 'svc', 'web'])).spec.clusterIP;

    const all = await hits(ip, 8000, 30);
    expect(all.errors).toEqual([]);
    expect(new Set(all.bodies)).toEqual(new Set(['web-a', 'web-b', 'web-c']));

    // sessionAffinity: ClientIP sends this client to one pod every time (kube-apiserver defaults the three hours).
    await apply(service('web-sticky', { sessionAffinity: 'ClientIP' }));
    const sticky = await json(['get', 'svc', 'web-sticky']);
    expect(sticky.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    const stuck = await eventually(async () => {
      const r = await hits(sticky.spec.clusterIP, 8000, 10);
      expect(r.errors).toEqual([]);
      expect(r.bodies).toHaveLength(10);
      return r.bodies;
    }, { timeoutMs: 30_000 });
    expect(new Set(stuck).size).toBe(1);
    const badAffinity = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(service('web-bad', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } })) });
    expect(badAffinity.stderr).toContain('spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400');
    expect((await cluster.kubectl(['delete', 'svc', 'web-sticky'])).code).toBe(0);

    const del = await cluster.kubectl(['delete', 'pod', 'web-c', '--wait=false']);
    expect(del.code).toBe(0);
    await eventually(async () => expect(await readyPodNames()).toEqual(['web-a', 'web-b']), { timeoutMs: 30_000 });
    const two = await hits(ip, 8000, 20);
    expect(two.errors).toEqual([]);
    expect(new Set(two.bodies)).toEqual(new Set(['web-a', 'web-b']));

    const podB = await json(['get', 'pod', 'web-b']);
    expect(await get(podB.status.podIP, 8080, '/cgi-bin/unready')).toEqual({ body: 'unready' });
    await eventually(async () => expect(await readyPodNames()).toEqual(['web-a']), { timeoutMs: 30_000 });
    const one = await hits(ip, 8000, 10);
    expect(one.errors).toEqual([]);
    expect(new Set(one.bodies)).toEqual(new Set(['web-a']));
  }, 240_000);

  it('gives a LoadBalancer an ingress address the test reaches', async () => {
    await apply(service('web-lb', { type: 'LoadBalancer' }));
    const svc = await eventually(async () => {
      const s = await json(['get', 'svc', 'web-lb']);
      expect(inCIDR(s.status?.loadBalancer?.ingress?.[0]?.ip ?? '', cluster.network.loadBalancerCIDR)).toBe(true);
      return s;
    }, { timeoutMs: 30_000 });
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    await eventually(async () => expect(await get(svc.status.loadBalancer.ingress[0].ip, 8000)).toEqual({ body: 'web-a' }), { timeoutMs: 30_000 });
    const table = await cluster.kubectl(['get', 'svc', 'web-lb']);
    expect(table.stdout).toContain(svc.status.loadBalancer.ingress[0].ip);
  });

  it('gives a LoadBalancer with allocateLoadBalancerNodePorts false no node ports, and still answers at its ingress and cluster IP', async () => {
    await apply(service('web-lb-direct', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    const nodePorts = async () => {
      const r = await cluster.kubectl(['get', 'svc', 'web-lb-direct', '-o', 'jsonpath={.spec.ports[*].nodePort}']);
      expect(r.stderr).toBe('');
      return r.stdout;
    };
    expect(await nodePorts()).toBe('');
    const svc = await eventually(async () => {
      const s = await json(['get', 'svc', 'web-lb-direct']);
      expect(inCIDR(s.status?.loadBalancer?.ingress?.[0]?.ip ?? '', cluster.network.loadBalancerCIDR)).toBe(true);
      return s;
    }, { timeoutMs: 30_000 });
    expect(svc.spec.allocateLoadBalancerNodePorts).toBe(false);
    await eventually(async () => expect(await get(svc.status.loadBalancer.ingress[0].ip, 8000)).toEqual({ body: 'web-a' }), { timeoutMs: 30_000 });
    expect(await get(svc.spec.clusterIP, 8000)).toEqual({ body: 'web-a' });
    const table = await cluster.kubectl(['get', 'svc', 'web-lb-direct']);
    expect(table.stdout).toMatch(/web-lb-direct\s+LoadBalancer\s+\S+\s+\S+\s+8000\/TCP\s/);

    // Set to true: the port gets a node port; a ClusterIP Service may not carry the field at all.
    expect((await cluster.kubectl(['patch', 'svc', 'web-lb-direct', '-p', '{"spec":{"allocateLoadBalancerNodePorts":true}}'])).code).toBe(0);
    const allocated = Number(await nodePorts());
    expect(allocated >= 30000 && allocated <= 32767).toBe(true);
    const refused = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(service('web-cip-alloc', { allocateLoadBalancerNodePorts: false })) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The Service "web-cip-alloc" is invalid: spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is \'LoadBalancer\'');
    expect((await cluster.kubectl(['get', 'svc', 'web-cip-alloc'])).stderr).toContain('NotFound');
    // Leaving LoadBalancer drops the field with the node ports.
    expect((await cluster.kubectl(['patch', 'svc', 'web-lb-direct', '-p', '{"spec":{"type":"ClusterIP"}}'])).stderr).toBe('');
    const plain = await json(['get', 'svc', 'web-lb-direct']);
    expect(plain.spec.allocateLoadBalancerNodePorts).toBeUndefined();
    expect(plain.spec.ports[0].nodePort).toBeUndefined();
    expect((await cluster.kubectl(['delete', 'svc', 'web-lb-direct'])).code).toBe(0);
  });

  it('proxies HTTP through the API to a pod and to a Ready endpoint of a Service (pods/proxy, services/proxy)', async () => {
    // web-a is the one Ready pod left (web-b answers but is unready, web-c is gone).
    const raw = async (path: string) => {
      const r = await cluster.kubectl(['get', '--raw', path]);
      return r.code === 0 ? r.stdout.trim() : r.stderr.trim();
    };
    const ns = '/api/v1/namespaces/default';
    expect(await raw(`${ns}/pods/web-b:8080/proxy/`)).toBe('web-b');
    // No port: the pod's first container port; a port's name: its number.
    expect(await raw(`${ns}/pods/web-a/proxy/index.html`)).toBe('web-a');
    expect(await raw(`${ns}/pods/web-a:http/proxy/`)).toBe('web-a');
    // The Service's port by name or number, to its one Ready endpoint; with no port named, the endpoints' unnamed
    // port, which this Service has none of: kube-apiserver's 503.
    expect(await raw(`${ns}/services/web:http/proxy/`)).toBe('web-a');
    expect(await raw(`${ns}/services/web:8000/proxy/`)).toBe('web-a');
    expect(await raw(`${ns}/services/web/proxy/`)).toContain('no endpoints available for service "web"');
    // A POST with its query, body, length and type. (Not through `kubectl create --raw`: it streams its body chunked,
    // which busybox httpd's CGI does not read.)
    const posted = await cluster.request('POST', `${ns}/services/web:http/proxy/cgi-bin/echo?a=1`, { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(posted.body.trim()).toBe('POST a=1 hello 5 text/plain');

    // An HTML page's links to its own server are kept inside the proxy, as kube-apiserver rewrites them.
    expect(await raw(`${ns}/pods/web-a:8080/proxy/links.html`)).toBe(`<a href="${ns}/pods/web-a:8080/proxy/index.html">home</a> <a href=other.html>next</a>`);
    // Straight over HTTPS: the status and headers pass through, `/proxy` redirects to `/proxy/`, and errors are Statuses.
    const missing = await cluster.request('GET', `${ns}/pods/web-a:8080/proxy/nope.html`);
    expect(missing.status).toBe(404);
    expect(missing.body).not.toContain('"kind":"Status"');
    const bare = await cluster.request('GET', `${ns}/pods/web-a:8080/proxy?x=1`);
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(`${ns}/pods/web-a:8080/proxy/?x=1`);
    const refused = await cluster.request('GET', `${ns}/pods/web-a:8081/proxy/`);
    expect(refused.status).toBe(503);
    expect(refused.json()).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', message: expect.stringContaining('error trying to reach service: connect ECONNREFUSED') });
    expect((await cluster.request('GET', `${ns}/pods/nobody/proxy/`)).json()).toMatchObject({ code: 404, message: 'pods "nobody" not found' });
    expect((await cluster.request('GET', `${ns}/services/a:b:c:d/proxy/`)).json()).toMatchObject({ code: 400, message: 'invalid service request "a:b:c:d"' });
    // `kubectl proxy` on a local port: the same proxy paths, through kubectl's own server.
    const proxy = spawn('kubectl', ['proxy', '--port=0'], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        proxy.stdout.on('data', (c) => {
          out += c;
          const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        proxy.once('exit', (code) => reject(new Error(`kubectl proxy exited with ${code}`)));
      });
      expect(await get('127.0.0.1', port, `${ns}/services/web:http/proxy/`)).toEqual({ body: 'web-a' });
    } finally {
      proxy.kill();
    }
    // An upgrade (what a WebSocket asks) through the proxy: the backend's 101, then both ways byte for byte. The backend
    // is busybox nc answering any upgrade and echoing what follows.
    const upgrader = 'while read -r l; do l=$(printf %s "$l" | tr -d "\\r"); [ -z "$l" ] && break; done; printf "HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n"; cat';
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'upgrader' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'nc', image: 'busybox', command: ['nc', '-ll', '-p', '18911', '-e', 'sh', '-c', upgrader], ports: [{ containerPort: 18911 }] }] } });
    await eventually(async () => expect((await json(['get', 'pod', 'upgrader'])).status.phase).toBe('Running'), { timeoutMs: 30_000 });
    const gateway = new URL(cluster.server);
    const echoed = await eventually(() => new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: gateway.hostname, port: Number(gateway.port), ca: cluster.caCertPem }, () => {
        socket.write(`GET ${ns}/pods/upgrader/proxy/chat HTTP/1.1\r\nHost: ${gateway.host}\r\nAuthorization: Bearer ${cluster.token}\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n`);
      });
      let got = '';
      socket.on('data', (c) => {
        got += c;
        if (got.includes('\r\n\r\n') && !got.includes('ping')) socket.write('ping\n');
        if (got.includes('ping\n')) {
          socket.destroy();
          resolve(got);
        }
      });
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error(`no echo: ${JSON.stringify(got)}`)));
    }), { timeoutMs: 20_000 });
    expect(echoed).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nping\n');
    expect((await cluster.kubectl(['delete', 'pod', 'upgrader', '--wait=false'])).code).toBe(0);

    // A Service with no Ready endpoint at all.
    await apply({ ...service('lonely'), spec: { ...service('lonely').spec, selector: { app: 'nobody' } } });
    await eventually(async () => expect((await cluster.request('GET', `${ns}/services/lonely:http/proxy/`)).json()).toMatchObject({ code: 503, message: 'no endpoints available for service "lonely"' }), { timeoutMs: 30_000 });
  }, 90_000);

  it('gives a pod started after the Service its env vars', async () => {
    const svc = await json(['get', 'svc', 'web']);
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'env-printer' }, spec: { restartPolicy: 'Never', containers: [{ name: 'env', image: 'busybox', command: ['env'] }] } });
    await eventually(async () => {
      const logs = await cluster.kubectl(['logs', 'env-printer']);
      expect(logs.stdout).toContain(`WEB_SERVICE_HOST=${svc.spec.clusterIP}`);
      expect(logs.stdout).toContain('WEB_SERVICE_PORT=8000');
      expect(logs.stdout).toContain(`WEB_PORT_8000_TCP=tcp://${svc.spec.clusterIP}:8000`);
    }, { timeoutMs: 60_000 });
  }, 90_000);

  it('kubectl describe shows the Events of a service and a pod, and why a pod is left out', async () => {
    await eventually(async () => {
      const d = await cluster.kubectl(['describe', 'svc', 'web']);
      expect(d.stdout).toMatch(/Endpoints:\s+\d+\.\d+\.\d+\.\d+:8080/);
      expect(d.stdout).toContain('UpdatedEndpoints');
    }, { timeoutMs: 30_000 });
    // A named target port no container declares: the pods are left out and an Event says why.
    await apply({ ...service('web-named'), spec: { selector: { app: 'web' }, ports: [{ port: 8001, targetPort: 'nope' }] } });
    await eventually(async () => {
      const d = await cluster.kubectl(['describe', 'svc', 'web-named']);
      expect(d.stdout).toContain('FailedToResolveTargetPort');
      expect(d.stdout).toContain('declares no container port named "nope"');
    }, { timeoutMs: 30_000 });
    expect((await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web-named'])).items[0].endpoints ?? []).toEqual([]);
    const pod = await cluster.kubectl(['describe', 'pod', 'web-a']);
    expect(pod.stdout).toMatch(/Events:[\s\S]*Started/);
  });
});
