import type { RecordedEvent } from '@openpacific/event-store';
import { MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, objectStreamId, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE } from '@openpacific/contracts';
import { ReadModel } from '@openpacific/objects';
import { webhookTimeBudgetMs } from './webhook-budget';

let position = 0n;
function put(model: ReadModel, resource: string, name: string, webhooks: any[]): void {
  position += 1n;
  const object = { metadata: { name, uid: `u${position}` }, webhooks };
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, undefined, name), streamVersion: 1, type: 'ResourceCreated',
    data: { resource, object }, metadata: {}, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent);
}

describe('the time the gateway adds for admission webhooks', () => {
  it('adds nothing while none is registered', () => {
    expect(webhookTimeBudgetMs(new ReadModel())).toBe(0);
  });

  it('adds the mutating webhooks one after another (IfNeeded twice) and the longest validating one', () => {
    const model = new ReadModel();
    put(model, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, 'm1', [{ name: 'a.x.io', timeoutSeconds: 5 }, { name: 'b.x.io', timeoutSeconds: 3, reinvocationPolicy: 'IfNeeded' }]);
    put(model, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, 'm2', [{ name: 'c.x.io' }]);
    put(model, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE, 'v1', [{ name: 'd.x.io', timeoutSeconds: 4 }, { name: 'e.x.io', timeoutSeconds: 7 }]);
    expect(webhookTimeBudgetMs(model)).toBe((5 + 3 * 2 + 10 + 7) * 1000);
  });

  it('never adds more than kube-apiserver’s minute', () => {
    const model = new ReadModel();
    put(model, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, 'slow', [1, 2, 3].map((i) => ({ name: `s${i}.x.io`, timeoutSeconds: 30 })));
    expect(webhookTimeBudgetMs(model)).toBe(60_000);
  });
});
