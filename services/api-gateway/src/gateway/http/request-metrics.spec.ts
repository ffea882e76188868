import { reportedVerb, requestLabels } from './request-metrics';

const attrs = (a: Partial<Parameters<typeof requestLabels>[0]>) => ({ verb: 'get', apiGroup: '', resource: 'pods', subresource: '', namespace: 'default', name: 'web', path: '/api/v1/namespaces/default/pods/web', resourceRequest: true, ...a });

describe("kube-apiserver's request metric labels", () => {
  it('reports the HTTP method, except LIST and WATCH for collections, APPLY for server-side apply, and the method for non-resource paths', () => {
    expect(reportedVerb(attrs({}), 'GET')).toBe('GET');
    expect(reportedVerb(attrs({ verb: 'list', name: '' }), 'GET')).toBe('LIST');
    expect(reportedVerb(attrs({ verb: 'watch', name: '' }), 'GET')).toBe('WATCH');
    expect(reportedVerb(attrs({ verb: 'create', name: '' }), 'POST')).toBe('POST');
    expect(reportedVerb(attrs({ verb: 'deletecollection', name: '' }), 'DELETE')).toBe('DELETE');
    expect(reportedVerb(attrs({ verb: 'patch' }), 'PATCH', 'application/apply-patch+yaml; charset=utf-8')).toBe('APPLY');
    expect(reportedVerb(attrs({ verb: 'patch' }), 'PATCH', 'application/merge-patch+json')).toBe('PATCH');
    expect(reportedVerb(attrs({ verb: 'get', resourceRequest: false }), 'GET')).toBe('GET');
  });

  it('scopes a request to one object, a namespace or the cluster, and leaves non-resource requests unscoped', () => {
    expect(requestLabels(attrs({}), 'GET', 'v1', false)).toEqual({ verb: 'GET', dry_run: '', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'resource', component: 'apiserver' });
    expect(requestLabels(attrs({ name: '' }), 'LIST', 'v1', false).scope).toBe('namespace');
    expect(requestLabels(attrs({ name: '', namespace: '', apiGroup: 'apps', resource: 'deployments' }), 'LIST', 'v1', false)).toMatchObject({ group: 'apps', scope: 'cluster' });
    expect(requestLabels(attrs({ subresource: 'status' }), 'PUT', 'v1', true)).toMatchObject({ subresource: 'status', dry_run: 'All' });
    expect(requestLabels(attrs({ resourceRequest: false, resource: '', namespace: '', name: '', path: '/metrics' }), 'GET', 'v1', false)).toMatchObject({ scope: '', version: '', resource: '' });
  });
});
