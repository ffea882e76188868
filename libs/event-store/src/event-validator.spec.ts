import Ajv from 'ajv';
import { eventCatalogue } from '@openpacific/contracts';
import { EventValidator } from './event-validator';

describe('EventValidator', () => {
  it('has a catalogue of schemas that JSON Schema\'s meta-schema accepts (the validator does not check them again)', () => {
    const ajv = new Ajv({ strict: false });
    for (const [type, schema] of Object.entries(eventCatalogue)) {
      expect({ type, valid: ajv.validateSchema(schema), errors: ajv.errorsText(ajv.errors) }).toEqual({ type, valid: true, errors: 'No errors' });
    }
    // The check can fail: a misspelt type is refused by the meta-schema.
    expect(ajv.validateSchema({ type: 'strnig' })).toBe(false);
  });

  it('refuses an event of an unknown type, data that breaks its schema, and metadata without actor and source', () => {
    const validator = new EventValidator(eventCatalogue);
    const metadata = { actor: 'admin', source: 'test' };
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'u', creationTimestamp: '2026-12-07T00:00:00Z' } };
    expect(() => validator.check({ type: 'ResourceCreated', data: { resource: 'configmaps', object }, metadata })).not.toThrow();
    expect(() => validator.check({ type: 'NoSuchEvent', data: {}, metadata })).toThrow('event type "NoSuchEvent" is not in the event catalogue');
    expect(() => validator.check({ type: 'ResourceCreated', data: { resource: 'configmaps' }, metadata })).toThrow("ResourceCreated is invalid: data must have required property 'object'");
    expect(() => validator.check({ type: 'ResourceCreated', data: { resource: 'configmaps', object }, metadata: { actor: 'admin' } as any })).toThrow('metadata must name an actor and a source');
  });
});
