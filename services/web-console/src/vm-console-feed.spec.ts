import { ConsoleFeed, ConsoleSocket } from './vm-console-feed';
import { CONSOLE_PROTOCOL, CONSOLE_REFUSAL_PROTOCOL, consoleTextOf, TICKET_REFUSED } from './vm-console-logic';

/** A WebSocket as the browser drives one: events, and what the page asked of it. */
class FakeSocket extends EventTarget implements ConsoleSocket {
  binaryType: BinaryType = 'blob';
  protocol = '';
  closedWith?: [number | undefined, string | undefined];
  close(code?: number, reason?: string) {
    this.closedWith = [code, reason];
  }
  fire(type: string, fields: Record<string, unknown> = {}) {
    this.dispatchEvent(Object.assign(new Event(type), fields));
  }
}

describe("a VM console's feed", () => {
  it('collects the text frames from the moment the socket is made, and tells its listeners', async () => {
    const socket = new FakeSocket();
    const feed = new ConsoleFeed(socket);
    let told = 0;
    feed.subscribe(() => told++);
    socket.fire('open');
    socket.fire('message', { data: 'Booting web-1 (OpenPacific sim guest)\n' });
    await feed.opened;
    socket.fire('message', { data: new TextEncoder().encode('web-1 login: ').buffer });
    expect(consoleTextOf(feed.text)).toBe('Booting web-1 (OpenPacific sim guest)\nweb-1 login: ');
    expect(socket.binaryType).toBe('arraybuffer');
    expect(told).toBe(2);
    expect(feed.closed).toBeUndefined();
  });

  it("keeps the gateway's reason when the socket closes", async () => {
    const socket = new FakeSocket();
    const feed = new ConsoleFeed(socket);
    socket.fire('open');
    await feed.opened;
    socket.fire('close', { code: 1000, reason: 'the VM powered off' });
    expect(feed.closed).toBe('Console closed: the VM powered off.');
  });

  it('fails to open when the socket closes first: the gateway refused the ticket', async () => {
    const socket = new FakeSocket();
    const feed = new ConsoleFeed(socket);
    socket.fire('error');
    socket.fire('close', { code: 1006, reason: '' });
    await expect(feed.opened).rejects.toThrow(TICKET_REFUSED);
  });

  it('closes the socket normally when the user is done', () => {
    const socket = new FakeSocket();
    new ConsoleFeed(socket).close();
    expect(socket.closedWith).toEqual([1000, 'closed by the user']);
  });

  it('decodes a character split across two binary frames', () => {
    const socket = new FakeSocket();
    const feed = new ConsoleFeed(socket);
    const bytes = new TextEncoder().encode('é\n');
    socket.fire('message', { data: bytes.slice(0, 1).buffer });
    socket.fire('message', { data: bytes.slice(1).buffer });
    expect(consoleTextOf(feed.text)).toBe('é\n');
  });

  it("fails to open with the gateway's own reason when it refused the ticket in the socket", async () => {
    const socket = new FakeSocket();
    const feed = new ConsoleFeed(socket);
    socket.protocol = CONSOLE_REFUSAL_PROTOCOL;
    socket.fire('open');
    const message = 'web console ticket of vm-team/web-1-console-x7k2p was already used at 2026-12-01T10:00:00Z: a ticket opens one console';
    socket.fire('message', { data: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code: 403 }) });
    socket.fire('close', { code: 4403, reason: message.slice(0, 100) });
    await expect(feed.opened).rejects.toThrow(`The gateway refused the console ticket: ${message}. Open the console again for a new ticket.`);
    expect(consoleTextOf(feed.text)).toBe('');
  });

  it('opens as usual in the console subprotocol', async () => {
    const socket = new FakeSocket();
    const feed = new ConsoleFeed(socket);
    socket.protocol = CONSOLE_PROTOCOL;
    socket.fire('open');
    await feed.opened;
    socket.fire('message', { data: 'web-1 login: ' });
    expect(consoleTextOf(feed.text)).toBe('web-1 login: ');
  });
});
