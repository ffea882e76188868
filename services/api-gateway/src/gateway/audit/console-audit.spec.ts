import type { IncomingMessage } from 'node:http';
import type { AuditEntry, AuditLog } from './audit-log';
import { consoleAudit, redactedPath, REDACTED_TICKET_PATH } from './audit-hook';
import { closeReason } from '../streams/vm-console';

/** The writer's one entry point, keeping what it was given (the batched writer itself is audit-log.int-spec's). */
function recorder() {
  const entries: AuditEntry[] = [];
  const errors: string[] = [];
  const deps = {
    log: { append: (e: AuditEntry) => entries.push(e) } as unknown as AuditLog,
    logger: { error: (m: string) => errors.push(m) },
  } as any;
  return { audit: consoleAudit(deps), entries, errors };
}

const upgrade = (ticket: string) => ({ url: `/ticket/${ticket}`, method: 'GET', headers: { 'user-agent': 'Mozilla/5.0', upgrade: 'websocket' }, socket: { remoteAddress: '::ffff:127.0.0.7' } }) as unknown as IncomingMessage;

describe('the audit of VM web consoles', () => {
  it('records an opened console as a create of virtualmachines/console by the requester, without the ticket', () => {
    const { audit, entries } = recorder();
    const alice = { username: 'alice', groups: ['devs', 'system:authenticated'] };
    audit(upgrade('3YI0wq7m0zQn1C2w0J6lNnZ6eTq6m1vD'), 101, { user: alice, namespace: 'team-a', name: 'web-1', request: 'virtualmachinewebconsolerequests/web-1-console', ticketRefused: false });
    expect(entries).toEqual([
      {
        time: expect.any(Date), requestId: expect.any(String), username: 'alice', groups: ['devs', 'system:authenticated'],
        verb: 'create', apiGroup: 'vmoperator.vmware.com', resource: 'virtualmachines', subresource: 'console', namespace: 'team-a', name: 'web-1',
        path: '/ticket/<redacted>', decision: 'allow', code: 101, userAgent: 'Mozilla/5.0', sourceIp: '127.0.0.7',
        annotations: { 'vmoperator.openpacific.io/webconsolerequest': 'virtualmachinewebconsolerequests/web-1-console' },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain('3YI0wq7m0zQn1C2w0J6lNnZ6eTq6m1vD');
  });

  it('records a refused ticket as denied: anonymous when no request has it, the requester when it was spent or expired', () => {
    const { audit, entries } = recorder();
    audit(upgrade('nobody-has-this'), 404, { ticketRefused: true });
    audit(upgrade('spent-one'), 403, { user: { username: 'bob', groups: [] }, namespace: 'team-b', name: 'db-1', request: 'webconsolerequests/db-1-console', ticketRefused: true });
    expect(entries.map(({ username, groups, namespace, name, decision, code, path, annotations }) => ({ username, groups, namespace, name, decision, code, path, annotations }))).toEqual([
      { username: 'system:anonymous', groups: ['system:unauthenticated'], namespace: '', name: '', decision: 'deny', code: 404, path: REDACTED_TICKET_PATH, annotations: undefined },
      { username: 'bob', groups: [], namespace: 'team-b', name: 'db-1', decision: 'deny', code: 403, path: REDACTED_TICKET_PATH, annotations: { 'vmoperator.openpacific.io/webconsolerequest': 'webconsolerequests/db-1-console' } },
    ]);
  });

  it('keeps a good ticket whose VM cannot be served an allowed request', () => {
    const { audit, entries } = recorder();
    audit(upgrade('good'), 503, { user: { username: 'alice', groups: [] }, namespace: 'team-a', name: 'web-1', ticketRefused: false });
    expect(entries[0]).toMatchObject({ decision: 'allow', code: 503 });
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
