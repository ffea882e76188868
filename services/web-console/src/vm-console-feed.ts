import { appendConsoleText, closedMessage, ConsoleText, EMPTY_CONSOLE_TEXT, TICKET_REFUSED } from './vm-console-logic';

/** What the feed needs of a WebSocket (the browser's; a test's stand-in). */
export interface ConsoleSocket extends EventTarget {
  binaryType: BinaryType;
  close(code?: number, reason?: string): void;
}

/**
 * A VM console's socket as the panel reads it: the text so far and, once the gateway closed it, why. Listens from the
 * moment the socket is made, so no frame is lost between the socket opening and the panel being drawn.
 */
export class ConsoleFeed {
  text: ConsoleText = EMPTY_CONSOLE_TEXT;
  /** Why the socket closed (the gateway's reason), once it has. */
  closed?: string;
  private isOpen = false;
  private readonly listeners = new Set<() => void>();
  private readonly decoder = new TextDecoder();
  /** Resolves when the socket opens; rejects when it closed before (the gateway refused the ticket). */
  readonly opened: Promise<void>;

  constructor(private readonly socket: ConsoleSocket) {
    socket.binaryType = 'arraybuffer';
    this.opened = new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => {
        this.isOpen = true;
        resolve();
      });
      socket.addEventListener('close', (e) => {
        const { code, reason } = e as CloseEvent;
        if (!this.isOpen) reject(new Error(TICKET_REFUSED));
        this.closed = closedMessage(code, reason);
        this.emit();
      });
    });
    socket.addEventListener('message', (e) => {
      const data = (e as MessageEvent).data;
      const frame = typeof data === 'string' ? data : data instanceof ArrayBuffer ? this.decoder.decode(data, { stream: true }) : '';
      const text = appendConsoleText(this.text, frame);
      if (text === this.text) return;
      this.text = text;
      this.emit();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the console (the user is done, or the page went away). */
  close(): void {
    this.socket.close(1000, 'closed by the user');
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
