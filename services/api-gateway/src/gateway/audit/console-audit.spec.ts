import type { IncomingMessage } from 'node:http';
import type { AuditEntry, AuditLog } from './audit-log';
import { ConsoleSession, consoleAudit, redactedPath, REDACTED_TICKET_PATH } from './audit-hook';
import { clientEnd, closeReason } from '../streams/vm-console';
import { OpenRequests } from './open-requests';

/** The writer's one entry point, keeping what it was given (the batched writer itself is audit-log.int-spec's). */
function recorder() {
  const entries: AuditEntry[] = [];
  const errors: string[] = [];
  const open = new OpenRequests();
  const deps = {
    log: { append: (e: AuditEntry) => entries.push(e), open } as unknown as AuditLog,
    logger: { error: (m: string) => errors.push(m) },
  } as any;
  return { audit: consoleAudit(deps), entries, errors, open };
}

const received = new Date('2026-11-30T10:00:00.000Z');
const session = (s: Omit<ConsoleSession, 'receivedAt'>): ConsoleSession => ({ receivedAt: received, ...s });
const upgrade = (ticket: string) => ({ url: `/ticket/${ticket}`, method: 'GET', headers: { 'user-agent': 'Mozilla/5.0', upgrade: 'websocket' }, socket: { remoteAddress: '::ffff:127.0.0.7' } }) as unknown as IncomingMessage;

describe('the audit of VM web consoles', () => {
  it('records an opened console as a create of virtualmachines/console by the requester, started, without the ticket', () => {
    const { audit, entries } = recorder();
    const alice = { username: 'alice', groups: ['devs', 'system:authenticated'] };
    audit(upgrade('3YI0wq7m0zQn1C2w0J6lNnZ6eTq6m1vD'), 101, session({ user: alice, namespace: 'team-a', name: 'web-1', request: 'virtualmachinewebconsolerequests/web-1-console', ticketRefused: false }));
    expect(entries).toEqual([
      {
        time: received, requestId: expect.any(String), username: 'alice', groups: ['devs', 'system:authenticated'],
        verb: 'create', apiGroup: 'vmoperator.vmware.com', resource: 'virtualmachines', subresource: 'console', namespace: 'team-a', name: 'web-1',
        path: '/ticket/<redacted>', decision: 'allow', code: 101, userAgent: 'Mozilla/5.0', sourceIp: '127.0.0.7',
        annotations: { 'vmoperator.openpacific.io/webconsolerequest': 'virtualmachinewebconsolerequests/web-1-console' },
        stage: 'ResponseStarted', stageTimestamp: expect.any(Date),
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain('3YI0wq7m0zQn1C2w0J6lNnZ6eTq6m1vD');
  });

  it('records a closed console again, complete, with the same time and request id, its close code and reason', () => {
    const { audit, entries } = recorder();
    const req = upgrade('t');
    const s = session({ user: { username: 'alice', groups: [] }, namespace: 'team-a', name: 'web-1', request: 'virtualmachinewebconsolerequests/c1', ticketRefused: false });
    audit(req, 101, s);
    audit(req, 101, s, { code: 1000, reason: 'the VM powered off' });
    audit(req, 101, s, clientEnd(1001));
    audit(req, 101, s, clientEnd(1006));
    const [opened, ...closed] = entries;
    expect(closed.map(({ time, requestId, stage, code, decision, annotations }) => ({ time, requestId, stage, code, decision, annotations }))).toEqual([
      ['1000', 'the VM powered off'], ['1001', 'the client closed the console'], ['1006', 'the connection was lost'],
    ].map(([code, reason]) => ({
      time: received, requestId: opened.requestId, stage: 'ResponseComplete', code: 101, decision: 'allow',
      annotations: {
        'vmoperator.openpacific.io/webconsolerequest': 'virtualmachinewebconsolerequests/c1',
        'vmoperator.openpacific.io/console-close-code': code, 'vmoperator.openpacific.io/console-close-reason': reason,
      },
    })));
    for (const c of closed) expect(c.stageTimestamp!.getTime()).toBeGreaterThanOrEqual(opened.stageTimestamp!.getTime());
  });

  it('records a console still open at a clean shutdown as closed by the gateway, once; a closed one is not open any more', async () => {
    const { audit, entries, open } = recorder();
    const s = (name: string) => session({ user: { username: 'alice', groups: [] }, namespace: 'team-a', name, ticketRefused: false });
    const [closed, left] = [s('web-1'), s('web-2')];
    audit(upgrade('a'), 101, closed);
    audit(upgrade('b'), 101, left);
    audit(upgrade('a'), 101, closed, clientEnd(1000));
    expect(open.size).toBe(1);
    await open.close(10);
    expect(open.size).toBe(0);
    expect(entries.map((e) => [e.name, e.stage, e.annotations?.['vmoperator.openpacific.io/console-close-code'], e.annotations?.['vmoperator.openpacific.io/console-close-reason']])).toEqual([
      ['web-1', 'ResponseStarted', undefined, undefined], ['web-2', 'ResponseStarted', undefined, undefined],
      ['web-1', 'ResponseComplete', '1000', 'the client closed the console'], ['web-2', 'ResponseComplete', '1001', 'the gateway shut down'],
    ]);
  });

  it('records a refused ticket as denied: anonymous when no request has it, the requester when it was spent or expired', () => {
    const { audit, entries } = recorder();
    audit(upgrade('nobody-has-this'), 404, session({ ticketRefused: true }));
    audit(upgrade('spent-one'), 403, session({ user: { username: 'bob', groups: [] }, namespace: 'team-b', name: 'db-1', request: 'webconsolerequests/db-1-console', ticketRefused: true }));
    expect(entries.map(({ username, groups, namespace, name, decision, code, path, annotations, stage }) => ({ username, groups, namespace, name, decision, code, path, annotations, stage }))).toEqual([
      { username: 'system:anonymous', groups: ['system:unauthenticated'], namespace: '', name: '', decision: 'deny', code: 404, path: REDACTED_TICKET_PATH, annotations: undefined, stage: 'ResponseComplete' },
      { username: 'bob', groups: [], namespace: 'team-b', name: 'db-1', decision: 'deny', code: 403, path: REDACTED_TICKET_PATH, annotations: { 'vmoperator.openpacific.io/webconsolerequest': 'webconsolerequests/db-1-console' }, stage: 'ResponseComplete' },
    ]);
  });

  it('keeps a good ticket whose VM cannot be served an allowed request', () => {
    const { audit, entries } = recorder();
    audit(upgrade('good'), 503, session({ user: { username: 'alice', groups: [] }, namespace: 'team-a', name: 'web-1', ticketRefused: false }));
    expect(entries[0]).toMatchObject({ decision: 'allow', code: 503, stage: 'ResponseComplete' });
  });

  it('redacts a ticket from any recorded path, and only a ticket', () => {
    expect(redactedPath('/ticket/abc_DEF-123')).toBe('/ticket/<redacted>');
    expect(redactedPath('/ticket/abc/def\nx')).toBe('/ticket/<redacted>');
    expect(redactedPath('/ticket/')).toBe('/ticket/<redacted>');
    expect(redactedPath('/tickets/abc')).toBe('/tickets/abc');
    expect(redactedPath('/api/v1/namespaces/a/pods/ticket')).toBe('/api/v1/namespaces/a/pods/ticket');
  });
});

describe("a refusal's close reason", () => {
  it('is the message when it fits a close frame, else cut to 123 bytes with an ellipsis', () => {
    expect(closeReason('web console ticket of a/b expired at 2026-01-01T00:00:00Z')).toBe('web console ticket of a/b expired at 2026-01-01T00:00:00Z');
    const long = `web console ticket of ${'n'.repeat(60)}/${'é'.repeat(60)} was already used at 2026-01-01T00:00:00Z: a ticket opens one console`;
    const cut = closeReason(long);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('…')).toBe(true);
    expect(long.startsWith(cut.slice(0, -1))).toBe(true);
  });
});
