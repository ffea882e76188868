import { ResourceRegistry } from '../registry/registry';
import { requestAttributes } from './request-attributes';

describe('requestAttributes', () => {
  const registry = new ResourceRegistry();
  const attrs = (method: string, url: string) => {
    const a = requestAttributes(registry, method, url);
    return [a.verb, a.apiGroup, a.resource, a.subresource, a.namespace, a.name].join('|');
  };

  it('gives kube-apiserver verbs for resource requests', () => {
    expect(attrs('GET', '/api/v1/namespaces/a/configmaps/c')).toBe('get||configmaps||a|c');
    expect(attrs('GET', '/api/v1/namespaces/a/configmaps')).toBe('list||configmaps||a|');
    expect(attrs('GET', '/api/v1/namespaces/a/configmaps?watch=true')).toBe('watch||configmaps||a|');
    expect(attrs('GET', '/api/v1/namespaces/a/pods?watch=1&fieldSelector=metadata.name%3Dp')).toBe('watch||pods||a|p');
    expect(attrs('POST', '/api/v1/namespaces/a/secrets')).toBe('create||secrets||a|');
    expect(attrs('PUT', '/api/v1/namespaces/a/secrets/s')).toBe('update||secrets||a|s');
    expect(attrs('PATCH', '/api/v1/namespaces/a/pods/p/status')).toBe('patch||pods|status|a|p');
    expect(attrs('DELETE', '/api/v1/namespaces/a/configmaps/c')).toBe('delete||configmaps||a|c');
    expect(attrs('DELETE', '/api/v1/namespaces/a/configmaps')).toBe('deletecollection||configmaps||a|');
    expect(attrs('GET', '/apis/audit.openpacific.io/v1/auditrecords')).toBe('list|audit.openpacific.io|auditrecords|||');
    expect(attrs('GET', '/api/v1/namespaces/a/configmaps/c/history')).toBe('get||configmaps|history|a|c');
  });

  it('treats discovery, /version and unknown paths as non-resource requests with their path', () => {
    const d = requestAttributes(registry, 'GET', '/apis?x=1');
    expect(d).toEqual({ verb: 'get', apiGroup: '', resource: '', subresource: '', namespace: '', name: '', path: '/apis', resourceRequest: false });
    expect(requestAttributes(registry, 'GET', '/apis/nope.example.com/v1/things').resourceRequest).toBe(false);
    expect(requestAttributes(registry, 'POST', '/version').verb).toBe('post');
  });
});
