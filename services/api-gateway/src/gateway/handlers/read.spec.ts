import { definitionFromCrd, eventResource, jobResource, nodeResource, podResource, ResourceDefinition, secretResource, serviceResource } from '@openpacific/contracts';
import { ResourceRequest } from '../core';
import { ServedResource } from '../registry/registry';
import { selectorFor } from './read';

const def = definitionFromCrd({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: {
        source: { type: 'string' },
        spec: { type: 'object', properties: { color: { type: 'string' }, size: { type: 'integer' }, ready: { type: 'boolean' } } },
      } } },
      selectableFields: [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.size' }, { jsonPath: '.spec.ready' }, { jsonPath: '.source' }],
    }],
  },
});
const served: ServedResource = { def, version: def.versions[0], apiVersion: 'example.com/v1', resource: 'widgets.example.com' };
const selectIn = (target: ServedResource, fieldSelector: string) => selectorFor({ query: new URLSearchParams({ fieldSelector }), target: { served: target } } as unknown as ResourceRequest);
const select = (fieldSelector: string) => selectIn(served, fieldSelector);
const widget = (name: string, spec: object) => ({ metadata: { name, namespace: 'default' }, spec });

describe('field selectors of lists and watches', () => {
  const objects = [widget('a', { color: 'blue', size: 3, ready: true }), widget('b', { color: 'red', size: 5 }), widget('c', {})];
  const names = (fieldSelector: string) => objects.filter(select(fieldSelector)).map((o) => o.metadata.name);

  it('selects on its selectableFields, integers and booleans by their text, an absent field as the empty string', () => {
    expect(names('spec.color=blue')).toEqual(['a']);
    expect(names('spec.color!=blue,metadata.namespace=default')).toEqual(['b', 'c']);
    expect(names('spec.size=5')).toEqual(['b']);
    expect(names('spec.ready=true')).toEqual(['a']);
    expect(names('spec.color=')).toEqual(['c']);
    expect(names('metadata.name=c')).toEqual(['c']);
    // `source` is an Event's component only for Events.
    expect([{ ...widget('d', {}), source: 'lab' }].filter(select('source=lab')).map((o) => o.metadata.name)).toEqual(['d']);
  });

  it('keeps reading an Event\'s source as its component', () => {
    const events: ServedResource = { def: eventResource, version: eventResource.versions[0], apiVersion: 'v1', resource: 'events' };
    const event = { metadata: { name: 'e', namespace: 'default' }, source: { component: 'kubelet' } };
    expect(selectIn(events, 'source=kubelet')(event)).toBe(true);
    expect(() => selectIn(events, 'spec.color=blue')).toThrow('field label not supported: spec.color');
  });

  it('selects the built-in kinds on kube-apiserver\'s field labels, an unset boolean as false and an unset count as 0', () => {
    const of = (d: ResourceDefinition): ServedResource => ({ def: d, version: d.versions[0], apiVersion: 'v1', resource: d.plural });
    const meta = (name: string) => ({ name, namespace: 'default' });
    const secrets = [{ metadata: meta('t'), type: 'kubernetes.io/tls' }, { metadata: meta('o'), type: 'Opaque' }];
    expect(secrets.filter(selectIn(of(secretResource), 'type=kubernetes.io/tls')).map((o) => o.metadata.name)).toEqual(['t']);
    const services = [{ metadata: meta('a'), spec: { type: 'NodePort', clusterIP: '10.96.0.7' } }, { metadata: meta('h'), spec: { type: 'ClusterIP', clusterIP: 'None' } }];
    expect(services.filter(selectIn(of(serviceResource), 'spec.type=NodePort')).map((o) => o.metadata.name)).toEqual(['a']);
    expect(services.filter(selectIn(of(serviceResource), 'spec.clusterIP=None')).map((o) => o.metadata.name)).toEqual(['h']);
    const nodes = [{ metadata: { name: 'n1' }, spec: { unschedulable: true } }, { metadata: { name: 'n2' }, spec: {} }];
    expect(nodes.filter(selectIn(of(nodeResource), 'spec.unschedulable=false')).map((o) => o.metadata.name)).toEqual(['n2']);
    const pods = [{ metadata: meta('p'), spec: { serviceAccountName: 'builder', hostNetwork: true } }, { metadata: meta('q'), spec: { serviceAccountName: 'default' }, status: { nominatedNodeName: 'host-2' } }];
    expect(pods.filter(selectIn(of(podResource), 'spec.serviceAccountName=builder')).map((o) => o.metadata.name)).toEqual(['p']);
    expect(pods.filter(selectIn(of(podResource), 'spec.hostNetwork=false')).map((o) => o.metadata.name)).toEqual(['q']);
    expect(pods.filter(selectIn(of(podResource), 'status.nominatedNodeName=host-2')).map((o) => o.metadata.name)).toEqual(['q']);
    const jobs = [{ metadata: meta('done'), status: { succeeded: 1 } }, { metadata: meta('new'), status: {} }];
    // A Job's status.successful is its count of succeeded pods.
    expect(jobs.filter(selectIn(of(jobResource), 'status.successful=0')).map((o) => o.metadata.name)).toEqual(['new']);
    expect(jobs.filter(selectIn(of(jobResource), 'status.successful=1')).map((o) => o.metadata.name)).toEqual(['done']);
    expect(() => selectIn(of(secretResource), 'spec.type=x')).toThrow('field label not supported: spec.type');
  });

  it('refuses any other field as kube-apiserver does', () => {
    expect(() => select('spec.shape=round')).toThrow('field label not supported: spec.shape');
  });
});
