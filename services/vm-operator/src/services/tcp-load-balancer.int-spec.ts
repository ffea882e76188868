import * as net from 'node:net';
import { Backend, TcpLoadBalancer } from './tcp-load-balancer';
import { ingressAddress } from './vm-service-endpoints';

const ADDRESS = ingressAddress(1, 1);

interface TestBackend extends Backend {
  name: string;
  server: net.Server;
  sockets: Set<net.Socket>;
}

interface Reply {
  data: string;
  error?: string;
}

/** Replies `<name>:<everything received>` only after the client's FIN, so a reply proves half close works. */
async function startBackend(name: string, address: string, port = 0): Promise<TestBackend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => socket.end(`${name}:${Buffer.concat(chunks).toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return { name, address, port: (server.address() as net.AddressInfo).port, server, sockets };
}

async function killBackend(backend: TestBackend): Promise<void> {
  const closed = new Promise<void>((resolve) => backend.server.close(() => resolve()));
  for (const socket of backend.sockets) socket.destroy();
  await closed;
}

function collect(socket: net.Socket): Promise<Reply> {
  return new Promise((resolve) => {
    let data = '';
    let error: string | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ data, error }));
  });
}

function request(lb: TcpLoadBalancer, payload = 'hi', localAddress?: string): Promise<Reply> {
  const socket = net.connect({ host: ADDRESS, port: lb.port, ...(localAddress ? { localAddress } : {}) });
  const reply = collect(socket);
  socket.end(payload);
  return reply;
}

async function requests(lb: TcpLoadBalancer, count: number): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < count; i++) replies.push(await request(lb));
  return replies;
}

function open(lb: TcpLoadBalancer): { socket: net.Socket; reply: Promise<Reply> } {
  const socket = net.connect({ host: ADDRESS, port: lb.port });
  return { socket, reply: collect(socket) };
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const names = (replies: Reply[]) => replies.map((r) => r.data.split(':')[0]);
const key = (b: Backend) => `${b.address}:${b.port}`;

describe('TcpLoadBalancer', () => {
  let a: TestBackend;
  let b: TestBackend;
  let c: TestBackend;
  let lb: TcpLoadBalancer;
  const warnings: string[] = [];

  const startLb = async (opts: { failureCooldownMs?: number; connectTimeoutMs?: number; clientHost?: (address: string) => string | undefined } = {}) => {
    lb = new TcpLoadBalancer({ bindAddress: ADDRESS, port: 0, logger: { info: () => undefined, warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`) }, ...opts });
    await lb.start();
    lb.setBackends([a, b, c]);
  };

  beforeEach(async () => {
    warnings.length = 0;
    a = await startBackend('a', '127.0.0.1');
    b = await startBackend('b', '127.0.0.2');
    c = await startBackend('c', '127.0.0.1');
  });

  afterEach(async () => {
    await lb?.stop();
    for (const backend of [a, b, c]) if (backend.server.listening) await killBackend(backend);
  });

  it('exposes the port it bound when asked for any free port', async () => {
    await startLb();
    expect(lb.port).toBeGreaterThan(0);
  });

  it('spreads connections round robin and proxies both ways across a half close', async () => {
    await startLb();
    const replies = await requests(lb, 6);
    expect(replies.map((r) => r.data)).toEqual(['a:hi', 'b:hi', 'c:hi', 'a:hi', 'b:hi', 'c:hi']);
    expect(lb.stats()).toEqual({ connections: 6, perBackend: { [key(a)]: 2, [key(b)]: 2, [key(c)]: 2 }, failed: {} });
  });

  it('sends a client back to its backend under ClientIP session affinity, and balances afresh without it or once its backend goes', async () => {
    await startLb();
    lb.setAffinity(10800);
    expect(names(await requests(lb, 5))).toEqual(['a', 'a', 'a', 'a', 'a']);
    // Its backend leaves: the client moves on, and sticks to the next one.
    lb.setBackends([b, c]);
    const moved = names(await requests(lb, 3));
    expect(moved[0]).not.toBe('a');
    expect(moved).toEqual([moved[0], moved[0], moved[0]]);
    lb.setAffinity(undefined);
    expect(names(await requests(lb, 2)).sort()).toEqual(['b', 'c']);
    // A timeout of 1 s: once it has passed since the last connection, the client is balanced again.
    lb.setAffinity(1);
    const [first] = names(await requests(lb, 1));
    expect(names(await requests(lb, 1))).toEqual([first]);
    await sleep(1100);
    expect(names(await requests(lb, 1))).not.toEqual([first]);
  });

  it('with per-host backends sends a client whose host is known only to its host\'s, resets it when there are none, and any other client to all', async () => {
    // Clients 127.0.0.21 and .22 are pods on h1 and h2, .23 one on h3; 127.0.0.1 says nothing about its host.
    const hosts: Record<string, string> = { '127.0.0.21': 'h1', '127.0.0.22': 'h2', '127.0.0.23': 'h3' };
    await startLb({ clientHost: (address) => hosts[address] });
    lb.setBackends([a, b, c], new Map([['h1', [a, c]], ['h2', [b]]]));
    const from = async (source: string, count: number) => {
      const replies: Reply[] = [];
      for (let i = 0; i < count; i++) replies.push(await request(lb, 'hi', source));
      return replies;
    };
    expect(names(await from('127.0.0.21', 4))).toEqual(['a', 'c', 'a', 'c']);
    expect(names(await from('127.0.0.22', 2))).toEqual(['b', 'b']);
    expect(await from('127.0.0.23', 1)).toEqual([{ data: '', error: 'ECONNRESET' }]);
    expect(names(await from('127.0.0.1', 3))).toEqual(['a', 'b', 'c']);
    // Session affinity within the host's backends.
    lb.setAffinity(10800);
    const [sticky] = names(await from('127.0.0.21', 1));
    expect(names(await from('127.0.0.21', 3))).toEqual([sticky, sticky, sticky]);
    lb.setAffinity(undefined);
    // A host's backend dead: the next of that host's, never another host's; its last one dead: reset.
    await killBackend(a);
    expect(names(await from('127.0.0.21', 2))).toEqual(['c', 'c']);
    await killBackend(b);
    expect(await from('127.0.0.22', 1)).toEqual([{ data: '', error: 'ECONNRESET' }]);
    // Without per-host backends (internalTrafficPolicy Cluster) every client goes to all of them.
    lb.setBackends([c]);
    expect(names(await from('127.0.0.23', 1))).toEqual(['c']);
  });

  it('carries large payloads intact', async () => {
    await startLb();
    const payload = 'x'.repeat(2 * 1024 * 1024);
    const reply = await request(lb, payload);
    expect(reply.data.length).toBe(payload.length + 2);
    expect(reply.data).toBe(`a:${payload}`);
  });

  it('moves the connections of a dead backend to the others without failing any', async () => {
    await startLb();
    await killBackend(b);
    const replies = await requests(lb, 6);
    expect(replies.every((r) => r.error === undefined && /^[ac]:hi$/.test(r.data))).toBe(true);
    expect(names(replies)).toEqual(['a', 'c', 'a', 'c', 'a', 'c']);
    expect(lb.stats().failed).toEqual({ [key(b)]: 1 });
    expect(warnings).toEqual([expect.stringMatching(/^backend connect failed .*ECONNREFUSED/)]);
  });

  it('gives up on a backend that does not connect in time and tries the next', async () => {
    // Loopback never leaves a connect hanging, so connects to b are made to do nothing at all.
    const realConnect = net.Socket.prototype.connect;
    const hanging = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: any[]) {
      const opts = Array.isArray(args[0]) ? args[0][0] : args[0];
      return opts?.port === b.port ? this : (realConnect as (...a: any[]) => net.Socket).apply(this, args);
    });
    try {
      await startLb({ connectTimeoutMs: 50 });
      const replies = await requests(lb, 3);
      expect(replies.map((r) => r.data)).toEqual(['a:hi', 'c:hi', 'a:hi']);
      expect(lb.stats().failed).toEqual({ [key(b)]: 1 });
      expect(warnings).toEqual([expect.stringMatching(/connect timed out after 50ms/)]);
    } finally {
      hanging.mockRestore();
    }
  });

  it('uses a failed backend again once it is back after the cooldown', async () => {
    await startLb({ failureCooldownMs: 100 });
    await killBackend(b);
    expect(names(await requests(lb, 3))).toEqual(['a', 'c', 'a']);
    b = await startBackend('b', b.address, b.port);
    await sleep(150);
    expect(names(await requests(lb, 3)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('tries a backend in its cooldown when no other is left, rather than refuse the client', async () => {
    // The only backend fails once (a guest's server a moment before it listens), then comes up within the long cooldown.
    await startLb({ failureCooldownMs: 60_000 });
    lb.setBackends([b]);
    await killBackend(b);
    expect((await request(lb)).data).toBe('');
    b = await startBackend('b', b.address, b.port);
    expect((await request(lb)).data).toBe('b:hi');
  });

  it('resets the client when every backend fails', async () => {
    await startLb();
    await Promise.all([killBackend(a), killBackend(b), killBackend(c)]);
    const reply = await request(lb);
    expect(reply.data).toBe('');
    expect(lb.stats().failed).toEqual({ [key(a)]: 1, [key(b)]: 1, [key(c)]: 1 });
  });

  it('accepts and closes at once when it has no backends', async () => {
    await startLb();
    lb.setBackends([]);
    const reply = await request(lb);
    expect(reply.data).toBe('');
    expect(lb.stats().connections).toBe(1);
  });

  it('swaps backends for new connections and leaves open ones alone', async () => {
    await startLb();
    const early = open(lb);
    early.socket.write('x');
    await waitFor(() => a.sockets.size === 1);
    lb.setBackends([c]);
    early.socket.end('y');
    expect(await early.reply).toEqual({ data: 'a:xy', error: undefined });
    expect(names(await requests(lb, 3))).toEqual(['c', 'c', 'c']);
  });

  it('ends the backend side when the client goes away', async () => {
    await startLb();
    const client = open(lb);
    await waitFor(() => a.sockets.size === 1);
    client.socket.destroy();
    await waitFor(() => a.sockets.size === 0);
  });

  it('closes the listener and every proxied connection on stop', async () => {
    await startLb();
    const first = open(lb);
    const second = open(lb);
    await waitFor(() => a.sockets.size === 1 && b.sockets.size === 1);
    const port = lb.port;
    await lb.stop();
    expect((await first.reply).data).toBe('');
    expect((await second.reply).data).toBe('');
    await waitFor(() => a.sockets.size === 0 && b.sockets.size === 0);
    const refused = await collect(net.connect({ host: ADDRESS, port }));
    expect(refused.error).toBe('ECONNREFUSED');
  });
});
