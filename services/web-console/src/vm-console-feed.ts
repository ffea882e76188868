import { appendConsoleText, closedMessage, CONSOLE_REFUSAL_PROTOCOL, ConsoleText, EMPTY_CONSOLE_TEXT, TICKET_REFUSED, ticketRefusedMessage } from './vm-console-logic';

/** What the feed needs of a WebSocket (the browser's; a test's stand-in). */
export interface ConsoleSocket extends EventTarget {
  binaryType: BinaryType;
  /** The subprotocol the gateway chose, once open. */
  readonly protocol: string;
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
  /** The gateway opened the socket only to say why it refused the ticket (the refusal subprotocol). */
  private refused = false;
  private refusalStatus?: string;
  private readonly listeners = new Set<() => void>();
  private readonly decoder = new TextDecoder();
  /**
   * Resolves when the console opens; rejects, with the gateway's reason when it gave one, when the gateway refused
   * the ticket.
   */
  readonly opened: Promise<void>;

  constructor(private readonly socket: ConsoleSocket) {
    socket.binaryType = 'arraybuffer';
    this.opened = new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => {
        if (socket.protocol === CONSOLE_REFUSAL_PROTOCOL) {
          // Its Status frame and close follow: the ticket opened nothing.
          this.refused = true;
          return;
        }
        this.isOpen = true;
        resolve();
      });
      socket.addEventListener('close', (e) => {
        const { code, reason } = e as CloseEvent;
        if (this.refused) return reject(new Error(ticketRefusedMessage(this.refusalStatus, reason)));
        if (!this.isOpen) reject(new Error(TICKET_REFUSED));
        this.closed = closedMessage(code, reason);
        this.emit();
      });
    });
    socket.addEventListener('message', (e) => {
      const data = (e as MessageEvent).data;
      if (this.refused) {
        this.refusalStatus ??= typeof data === 'string' ? data : undefined;
        return;
      }
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
