import Ajv from 'ajv';
import { eventCatalogue, ObjectEventTypes, PodEventTypes } from './catalogue';
import { withFieldSet } from './field-set';

describe('a field set', () => {
  const pod = { metadata: { name: 'p', annotations: { a: '1' }, labels: { l: 'x' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending', message: 'waiting' } };

  it('replaces each path it names whole, and shares every part it leaves alone', () => {
    const next = withFieldSet(pod, { 'spec.nodeName': 'h1', 'metadata.annotations': { b: '2' }, status: { phase: 'Running' } });
    expect(next).toEqual({
      metadata: { name: 'p', annotations: { b: '2' }, labels: { l: 'x' } },
      spec: { containers: [{ name: 'c' }], nodeName: 'h1' },
      status: { phase: 'Running' },
    });
    expect(next.spec.containers).toBe(pod.spec.containers);
    expect(next.metadata.labels).toBe(pod.metadata.labels);
    // The object it was applied to is unchanged.
    expect(pod.spec).toEqual({ containers: [{ name: 'c' }] });
    expect(pod.status).toEqual({ phase: 'Pending', message: 'waiting' });
  });

  it('makes the part a two-name path is in when the object has none', () => {
    expect(withFieldSet({ metadata: { name: 'p' } } as Record<string, any>, { 'spec.nodeName': 'h1' })).toEqual({ metadata: { name: 'p' }, spec: { nodeName: 'h1' } });
  });

  it('is what a binding and a status update may carry instead of the object, and no other event', () => {
    const ajv = new Ajv();
    const set = { resource: 'pods', set: { 'spec.nodeName': 'h1', status: { phase: 'Pending' } } };
    expect(ajv.compile(eventCatalogue[PodEventTypes.bound])(set)).toBe(true);
    expect(ajv.compile(eventCatalogue[ObjectEventTypes.statusUpdated])(set)).toBe(true);
    expect(ajv.compile(eventCatalogue[ObjectEventTypes.created])(set)).toBe(false);
    expect(ajv.compile(eventCatalogue[ObjectEventTypes.updated])(set)).toBe(false);
    const status = ajv.compile(eventCatalogue[ObjectEventTypes.statusUpdated]);
    expect(status({ resource: 'pods', set: {} })).toBe(false);
    expect(status({ resource: 'pods', set: { 'spec.a.b': 1 } })).toBe(false);
    expect(status({ resource: 'pods', set: { status: {} }, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u', creationTimestamp: 'x' } } })).toBe(false);
  });
});
