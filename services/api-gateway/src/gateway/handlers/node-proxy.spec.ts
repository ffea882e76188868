import { resourceAttributes } from '../auth/request-attributes';
import { parseResourcePath } from '../http/resource-path';
import { ResourceRegistry } from '../registry/registry';

const registry = new ResourceRegistry();
const user = { username: 'dev', groups: ['system:authenticated'] };

describe('a nodes/<name>/proxy path', () => {
  it('names the Node as sent and keeps the kubelet path after /proxy, still percent-encoded', () => {
    expect(parseResourcePath(registry, '/api/v1/nodes/host-1/proxy/stats/summary')).toMatchObject({ name: 'host-1', subresource: 'proxy', proxyPath: '/stats/summary' });
    expect(parseResourcePath(registry, '/api/v1/nodes/host-1:10250/proxy/a%2Fb/')).toMatchObject({ name: 'host-1:10250', proxyPath: '/a%2Fb/' });
    expect(parseResourcePath(registry, '/api/v1/nodes/host-1/proxy')).toMatchObject({ subresource: 'proxy', proxyPath: '' });
    expect(parseResourcePath(registry, '/api/v1/nodes/host-1/proxy/')).toMatchObject({ proxyPath: '/' });
  });

  it('is not found with an empty segment before /proxy, and no other cluster kind proxies', () => {
    expect(() => parseResourcePath(registry, '/api/v1/nodes//host-1/proxy/healthz')).toThrow('the server could not find the requested resource');
    expect(() => parseResourcePath(registry, '/api/v1/persistentvolumes/pv-1/proxy/x')).toThrow('the server could not find the requested resource');
  });

  it('is authorized as the subresource proxy of nodes at the cluster scope, the verb by method', () => {
    const attrs = (method: string, path: string) => resourceAttributes(user, method, new URLSearchParams(), parseResourcePath(registry, path)!, false);
    expect(attrs('GET', '/api/v1/nodes/host-1/proxy/healthz')).toMatchObject({ verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'host-1', namespace: undefined, apiGroup: '' });
    expect(attrs('POST', '/api/v1/nodes/host-1/proxy/pods')).toMatchObject({ verb: 'create', subresource: 'proxy' });
  });
});
