import { generateKeyPairSync } from 'node:crypto';
import { vmWebConsoleKindStrategies, webConsoleRequester } from './vmwebconsole.strategy';

const current = vmWebConsoleKindStrategies['vmoperator.vmware.com/VirtualMachineWebConsoleRequest'];
const v1alpha1 = vmWebConsoleKindStrategies['vmoperator.vmware.com/WebConsoleRequest'];
const ctx = {} as any;

const der = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'der' });
const KEY = `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
const UUID = 'vmoperator.vmware.com/webconsolerequest-uuid';
const HASH = 'vmoperator.openpacific.io/web-console-ticket-sha256';
const USED = 'vmoperator.openpacific.io/web-console-ticket-used';
const REQUESTER = 'vmoperator.openpacific.io/web-console-requester';

const wcr = (spec: any, metadata: any = {}) => ({ kind: 'VirtualMachineWebConsoleRequest', metadata: { name: 'c1', namespace: 'ns', ...metadata }, spec });

describe('web console request admission', () => {
  it('accepts a request naming a VM with an RSA key in a PUBLIC KEY block', () => {
    expect(current.validateCreate!(wcr({ name: 'web-1', publicKey: KEY }), ctx)).toEqual([]);
    expect(v1alpha1.validateCreate!({ ...wcr({ virtualMachineName: 'web-1', publicKey: KEY }), kind: 'WebConsoleRequest' }, ctx)).toEqual([]);
  });

  it('requires the VM name and the key, naming the fields as VM Operator’s webhooks do', () => {
    expect(current.validateCreate!(wcr({ name: '', publicKey: '' }), ctx)).toEqual([
      { field: 'spec.Name', reason: 'FieldValueRequired', message: 'Required value' },
      { field: 'spec.publicKey', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
    expect(v1alpha1.validateCreate!(wcr({ virtualMachineName: '', publicKey: KEY }), ctx)).toEqual([{ field: 'spec.virtualMachineName', reason: 'FieldValueRequired', message: 'Required value' }]);
  });

  it('refuses a key that is no PUBLIC KEY block, or whose body is no RSA key', () => {
    expect(current.validateCreate!(wcr({ name: 'web-1', publicKey: 'ssh-rsa AAAA' }), ctx)).toEqual([{ field: 'spec.publicKey', reason: 'FieldValueInvalid', message: 'Invalid value: "": invalid public key format' }]);
    const notRsa = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';
    expect(current.validateCreate!(wcr({ name: 'web-1', publicKey: notRsa }), ctx)).toEqual([{ field: 'spec.publicKey', reason: 'FieldValueInvalid', message: 'Invalid value: "": invalid public key' }]);
  });

  it('keeps the spec and, once set, the uuid label as they are', () => {
    const old = wcr({ name: 'web-1', publicKey: KEY }, { labels: { [UUID]: 'u-1' } });
    expect(current.validateUpdate!(old, wcr({ name: 'web-1', publicKey: KEY }, { labels: { [UUID]: 'u-1', app: 'x' } }))).toEqual([]);
    expect(current.validateUpdate!(old, wcr({ name: 'web-2', publicKey: 'k' }, { labels: { [UUID]: 'u-2' } }))).toEqual([
      { field: 'spec.Name', reason: 'FieldValueInvalid', message: 'Invalid value: "web-2": field is immutable' },
      { field: 'spec.publicKey', reason: 'FieldValueInvalid', message: 'Invalid value: "k": field is immutable' },
      { field: `metadata.labels[${UUID}]`, reason: 'FieldValueInvalid', message: 'Invalid value: "u-2": field is immutable' },
    ]);
    expect(current.validateUpdate!(wcr({ name: 'web-1', publicKey: KEY }), wcr({ name: 'web-1', publicKey: KEY }, { labels: { [UUID]: 'mine' } }))).toEqual([]);
  });

  it('lets no client set, change or drop the ticket annotations', () => {
    const made = current.defaults!(wcr({ name: 'web-1', publicKey: KEY }, { annotations: { [HASH]: 'forged', [USED]: 'x', note: 'kept' } }), ctx);
    expect(made.metadata.annotations).toEqual({ note: 'kept' });
    const old = wcr({ name: 'web-1', publicKey: KEY }, { annotations: { [HASH]: 'h' } });
    const next = current.prepareUpdate!(old, wcr({ name: 'web-1', publicKey: KEY }, { annotations: { [HASH]: 'forged', [USED]: 'x' } }));
    expect(next.metadata.annotations).toEqual({ [HASH]: 'h' });
    expect(current.prepareUpdate!(old, wcr({ name: 'web-1', publicKey: KEY })).metadata.annotations).toEqual({ [HASH]: 'h' });
  });

  it('records who created the request, whatever the client wrote there, and keeps it on update', () => {
    const alice = { ...ctx, user: { username: 'alice', groups: ['devs', 'system:authenticated'] } };
    const made = current.defaults!(wcr({ name: 'web-1', publicKey: KEY }, { annotations: { [REQUESTER]: '{"username":"admin","groups":["system:masters"]}' } }), alice);
    expect(made.metadata.annotations).toEqual({ [REQUESTER]: '{"username":"alice","groups":["devs","system:authenticated"]}' });
    expect(webConsoleRequester(made)).toEqual({ username: 'alice', groups: ['devs', 'system:authenticated'] });
    const forged = current.prepareUpdate!(made, wcr({ name: 'web-1', publicKey: KEY }, { annotations: { [REQUESTER]: '{"username":"admin","groups":[]}' } }));
    expect(webConsoleRequester(forged)).toEqual({ username: 'alice', groups: ['devs', 'system:authenticated'] });
    expect(webConsoleRequester(wcr({}, { annotations: { [REQUESTER]: 'not json' } }))).toBeUndefined();
    expect(webConsoleRequester(wcr({}))).toBeUndefined();
  });
});
