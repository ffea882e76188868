import * as dgram from 'node:dgram';
import { UdpLoadBalancer } from './udp-load-balancer';

/** A UDP echo server that prefixes its name, on a free port of 127.0.0.1. */
async function echo(name: string): Promise<{ port: number; close(): void }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => socket.send(`${name}:${msg}`, from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, close: () => socket.close() };
}

/** Sends one datagram from a new client socket and waits for one answer (or undefined after timeoutMs). */
async function ask(port: number, text: string, client?: dgram.Socket, timeoutMs = 500): Promise<string | undefined> {
  const socket = client ?? dgram.createSocket('udp4');
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(String(msg));
      });
      socket.send(text, port, '127.0.0.1');
    });
  } finally {
    if (!client) socket.close();
  }
}

/** A client socket bound to a source address of this machine's loopback. */
async function client(address: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  return socket;
}

describe('UdpLoadBalancer', () => {
  const servers: { close(): void }[] = [];
  let lb: UdpLoadBalancer;
  afterEach(async () => {
    await lb?.stop();
    for (const s of servers.splice(0)) s.close();
  });

  it('spreads clients round robin, keeps each client on its backend, and drops datagrams without backends', async () => {
    const a = await echo('a');
    const b = await echo('b');
    servers.push(a, b);
    lb = new UdpLoadBalancer({ bindAddress: '127.0.0.1', port: 0 });
    await lb.start();
    expect(await ask(lb.port, 'nobody', undefined, 200)).toBeUndefined();
    lb.setBackends([{ address: '127.0.0.1', port: a.port }, { address: '127.0.0.1', port: b.port }]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(lb.port, `q${i}`));
    expect(answers.map((x) => x?.split(':')[0]).sort()).toEqual(['a', 'a', 'b', 'b']);
    // One client, one flow: every datagram goes to the same backend.
    const client = dgram.createSocket('udp4');
    const first = await ask(lb.port, 'x', client);
    const second = await ask(lb.port, 'y', client);
    expect(first?.split(':')[0]).toBe(second?.split(':')[0]);
    // Its backend leaves: the flow goes with it and the next datagram finds the other.
    const kept = first?.startsWith('a') ? b : a;
    lb.setBackends([{ address: '127.0.0.1', port: kept.port }]);
    expect(await ask(lb.port, 'z', client)).toBe(`${kept === a ? 'a' : 'b'}:z`);
    client.close();
  });

  it('with per-host backends sends a client whose host is known only to its host\'s, and drops its datagrams when there are none', async () => {
    const a = await echo('a');
    const b = await echo('b');
    servers.push(a, b);
    const [onA, onB, machine] = [await client('127.0.0.31'), await client('127.0.0.32'), await client('127.0.0.1')];
    try {
      const hosts: Record<string, string> = { '127.0.0.31': 'h1', '127.0.0.32': 'h2' };
      lb = new UdpLoadBalancer({ bindAddress: '127.0.0.1', port: 0, clientHost: (address) => hosts[address] });
      await lb.start();
      const backendA = { address: '127.0.0.1', port: a.port };
      const backendB = { address: '127.0.0.1', port: b.port };
      lb.setBackends([backendA, backendB], new Map([['h1', [backendA]]]));
      expect(await ask(lb.port, 'x', onA)).toBe('a:x');
      expect(await ask(lb.port, 'y', onB, 200)).toBeUndefined();
      expect(await ask(lb.port, 'z', machine)).toMatch(/^[ab]:z$/);
      // An endpoint on h2: its client's next datagram reaches it, h1's flow stays on a.
      lb.setBackends([backendA, backendB], new Map([['h1', [backendA]], ['h2', [backendB]]]));
      for (let i = 0; i < 3; i++) {
        expect(await ask(lb.port, `q${i}`, onA)).toBe(`a:q${i}`);
        expect(await ask(lb.port, `q${i}`, onB)).toBe(`b:q${i}`);
      }
      // h2's endpoint goes: its flow goes with it and nothing answers.
      lb.setBackends([backendA], new Map([['h1', [backendA]]]));
      expect(await ask(lb.port, 'w', onB, 200)).toBeUndefined();
    } finally {
      for (const socket of [onA, onB, machine]) socket.close();
    }
  });

  it('sends a client only to the backends it is admitted to', async () => {
    const a = await echo('a');
    const b = await echo('b');
    servers.push(a, b);
    lb = new UdpLoadBalancer({ bindAddress: '127.0.0.1', port: 0, admit: (_client, backend) => backend.port === b.port });
    await lb.start();
    lb.setBackends([{ address: '127.0.0.1', port: a.port }, { address: '127.0.0.1', port: b.port }]);
    for (let i = 0; i < 3; i++) expect(await ask(lb.port, `q${i}`)).toBe(`b:q${i}`);
  });
});
