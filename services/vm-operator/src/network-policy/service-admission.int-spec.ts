import * as net from 'node:net';
import { TcpLoadBalancer } from '../services/tcp-load-balancer';
import { PolicyEvaluator } from './policy-evaluator';

/**
 * Pod→Service connections never cross the forward hook (the balancer is a local socket), so the balancer asks the
 * policies itself: a client only reaches backends that admit it, and one that none admits is reset at once. The
 * "pods" here are loopback addresses of a /16 of their own, which is all the evaluator needs.
 */

const POD_CIDR = '127.212.0.0/16';
const pod = (namespace: string, name: string, ip: string) => ({ metadata: { namespace, name, labels: { app: name } }, spec: { containers: [] }, status: { phase: 'Running', podIP: ip } });
const A = '127.212.1.2';
const B = '127.212.2.2';
const CLIENT_ALPHA = '127.212.1.10';
const CLIENT_OTHER = '127.212.3.10';

function backend(address: string): Promise<net.Server> {
  const server = net.createServer((s) => s.end(address));
  return new Promise((resolve) => server.listen(0, address, () => resolve(server)));
}

/** What the balancer answered a client from `localAddress`: the backend's address, or the error. */
function ask(lb: TcpLoadBalancer, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const s = net.connect({ host: '127.212.0.1', port: lb.port, localAddress });
    s.on('data', (d) => (data += d));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.on('close', () => resolve(data || 'closed'));
  });
}

describe('a Service load balancer with NetworkPolicy admission', () => {
  let servers: net.Server[];
  let lb: TcpLoadBalancer;
  let evaluator = new PolicyEvaluator({ podCIDR: POD_CIDR, pods: [], namespaces: [], policies: [] });

  beforeAll(async () => {
    servers = [await backend(A), await backend(B)];
    evaluator = new PolicyEvaluator({
      podCIDR: POD_CIDR,
      pods: [pod('alpha', 'a', A), pod('beta', 'b', B), pod('alpha', 'client', CLIENT_ALPHA), pod('other', 'client', CLIENT_OTHER)],
      namespaces: [],
      policies: [],
    });
    lb = new TcpLoadBalancer({ bindAddress: '127.212.0.1', port: 0, admit: (client, b) => evaluator.allows(client, b.address, b.port, 'TCP') });
    await lb.start();
    lb.setBackends(servers.map((s) => ({ address: (s.address() as net.AddressInfo).address, port: (s.address() as net.AddressInfo).port })));
  });

  afterAll(async () => {
    await lb.stop();
    for (const s of servers) s.close();
  });

  it('sends a pod only to the backends its namespace may reach', async () => {
    for (let i = 0; i < 4; i++) expect(await ask(lb, CLIENT_ALPHA)).toBe(A);
  });

  it('resets a pod that no backend admits, at once', async () => {
    expect(await ask(lb, CLIENT_OTHER)).toBe('ECONNRESET');
    // Refused before any backend was dialled: none was tried and failed.
    expect(lb.stats().failed).toEqual({});
  });

  it('still balances a client that is not a pod over every backend', async () => {
    const answers = new Set([await ask(lb, '127.212.0.50'), await ask(lb, '127.212.0.50')]);
    expect(answers).toEqual(new Set([A, B]));
  });
});
