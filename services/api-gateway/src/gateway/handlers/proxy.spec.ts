import { EventEmitter } from 'node:events';
import { forwardedHeaders, PROXY_DIAL_TIMEOUT_MS, whenConnecting, podLocation, proxyableAddress, rewrittenLocation, serviceLocation, splitSchemeNamePort, upgradeRequestHead } from './proxy';

describe('the object segment of a proxy path', () => {
  it("reads name, name:port and scheme:name:port as kube's SplitSchemeNamePort", () => {
    expect(splitSchemeNamePort('web')).toEqual({ scheme: '', name: 'web', port: '' });
    expect(splitSchemeNamePort('web:8080')).toEqual({ scheme: '', name: 'web', port: '8080' });
    expect(splitSchemeNamePort('https:web:api')).toEqual({ scheme: 'https', name: 'web', port: 'api' });
    expect(splitSchemeNamePort('ftp:web:21')).toBeUndefined();
    expect(splitSchemeNamePort(':8080')).toBeUndefined();
    expect(splitSchemeNamePort('a:b:c:d')).toBeUndefined();
  });
});

describe('where a pod proxy goes', () => {
  const pod = (ip: string | undefined, ports: any[] = [{ name: 'http', containerPort: 8080 }]) => ({
    metadata: { name: 'web' },
    spec: { containers: [{ name: 'side' }, { name: 'web', ports }] },
    status: ip ? { podIP: ip, podIPs: [{ ip }] } : {},
  });

  it("takes the port given, else the first container port declared, else the scheme's default", () => {
    expect(podLocation(pod('10.65.0.7'), { scheme: '', name: 'web', port: '9090' })).toEqual({ scheme: 'http', host: '10.65.0.7', port: 9090 });
    expect(podLocation(pod('10.65.0.7'), { scheme: '', name: 'web', port: '' })).toEqual({ scheme: 'http', host: '10.65.0.7', port: 8080 });
    expect(podLocation(pod('10.65.0.7', []), { scheme: 'https', name: 'web', port: '' })).toEqual({ scheme: 'https', host: '10.65.0.7' });
    // A container port's name stands for its number.
    expect(podLocation(pod('127.3.0.9'), { scheme: '', name: 'web', port: 'http' })).toEqual({ scheme: 'http', host: '127.3.0.9', port: 8080 });
    expect(() => podLocation(pod('127.3.0.9'), { scheme: '', name: 'web', port: 'grpc' })).toThrow('pod "web" has no container port named "grpc"');
  });

  it('refuses a pod with no address, or on its host\'s network (the address the control plane listens on)', () => {
    expect(() => podLocation(pod(undefined), { scheme: '', name: 'web', port: '' })).toThrow('address not allowed');
    expect(() => podLocation(pod('127.0.0.1'), { scheme: '', name: 'web', port: '' })).toThrow('address not allowed');
    for (const ip of ['0.0.0.0', '169.254.1.1', '224.0.0.1', 'fe80::1', 'web']) expect(proxyableAddress(ip)).toBe(false);
    for (const ip of ['10.65.0.2', '127.3.0.9', '192.168.1.4']) expect(proxyableAddress(ip)).toBe(true);
  });
});

describe('where a Service proxy goes', () => {
  const svc = { metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 8000 }, { name: 'admin', port: 9000 }] } };
  const podAt = (name: string, ip: string) => ({ metadata: { name }, status: { podIP: ip, podIPs: [{ ip }] } });
  const address = (name: string, ip: string, namespace = 'a') => ({ ip, targetRef: { kind: 'Pod', name, namespace } });
  const lookup = (endpoints: any, pods: any[] = [podAt('web-1', '10.65.0.4'), podAt('web-2', '10.65.0.5')]) => ({
    service: (n: string) => (n === 'web' ? svc : undefined),
    endpoints: (n: string) => (n === 'web' ? endpoints : undefined),
    pod: (n: string) => pods.find((p) => p.metadata.name === n),
  });
  const eps = { subsets: [{ addresses: [address('web-1', '10.65.0.4'), address('web-2', '10.65.0.5')], ports: [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }] }] };
  const first = () => 0;

  it("matches a port name as the endpoints carry it, and a port number through the Service's port of that number", () => {
    expect(serviceLocation(lookup(eps), 'a', 'web:http', { scheme: '', name: 'web', port: 'http' }, first)).toEqual({ scheme: 'http', host: '10.65.0.4', port: 8080 });
    expect(serviceLocation(lookup(eps), 'a', 'web:9000', { scheme: '', name: 'web', port: '9000' }, () => 1)).toEqual({ scheme: 'http', host: '10.65.0.5', port: 9090 });
    expect(serviceLocation(lookup(eps), 'a', 'https:web:admin', { scheme: 'https', name: 'web', port: 'admin' }, first)).toMatchObject({ scheme: 'https', port: 9090 });
  });

  it('answers kube-apiserver\'s 503s and 404s when nothing can serve', () => {
    const refused = (l: any, raw: string, id: any) => {
      try {
        serviceLocation(l, 'a', raw, id, first);
      } catch (err: any) {
        return { code: err.status.code, reason: err.status.reason, message: err.status.message };
      }
      throw new Error('not refused');
    };
    // No port given: the endpoints' unnamed port, which a Service with named ports has none of.
    expect(refused(lookup(eps), 'web', { scheme: '', name: 'web', port: '' })).toEqual({ code: 503, reason: 'ServiceUnavailable', message: 'no endpoints available for service "web"' });
    expect(refused(lookup(eps), 'web:7', { scheme: '', name: 'web', port: '7' })).toMatchObject({ code: 503, message: 'no service port 7 found for service "web"' });
    expect(refused(lookup({ subsets: [] }), 'web:http', { scheme: '', name: 'web', port: 'http' })).toMatchObject({ code: 503, message: 'no endpoints available for service "web"' });
    expect(refused(lookup(undefined), 'web:http', { scheme: '', name: 'web', port: 'http' })).toMatchObject({ code: 404, message: 'endpoints "web" not found' });
    expect(refused(lookup(eps), 'db:8000', { scheme: '', name: 'db', port: '8000' })).toMatchObject({ code: 404, message: 'services "db" not found' });
    // An address whose pod is gone, has another address, or is in another namespace is passed over.
    const stale = { subsets: [{ addresses: [address('gone', '10.65.0.9'), address('web-1', '10.65.0.6'), address('web-2', '10.65.0.5', 'b')], ports: [{ name: 'http', port: 8080 }] }] };
    expect(refused(lookup(stale), 'web:http', { scheme: '', name: 'web', port: 'http' })).toMatchObject({ code: 503, message: 'no endpoints available for service "web:http"' });
  });
});

describe('what the backend gets and what comes back', () => {
  it('passes the request headers on without hop-by-hop ones, credentials or impersonation, saying who asked', () => {
    const out = forwardedHeaders(
      { host: 'gw:6443', authorization: 'Bearer t', 'impersonate-user': 'x', connection: 'keep-alive, x-trace', 'x-trace': '1', 'keep-alive': 'timeout=5', accept: 'text/plain', 'content-length': '3' },
      '::ffff:127.0.0.1',
    );
    expect(out).toEqual({ accept: 'text/plain', 'content-length': '3', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-host': 'gw:6443', 'x-forwarded-proto': 'https' });
    expect(forwardedHeaders({ 'x-forwarded-for': '10.0.0.1' }, '127.0.0.1')['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
  });

  it('keeps a redirect to the backend itself inside the proxy', () => {
    const base = '/api/v1/namespaces/a/pods/web:8080/proxy';
    const backend = { scheme: 'http' as const, host: '10.65.0.4', port: 8080 };
    expect(rewrittenLocation('/login?next=%2F', backend, base)).toBe(`${base}/login?next=%2F`);
    expect(rewrittenLocation('http://10.65.0.4:8080/x#top', backend, base)).toBe(`${base}/x#top`);
    expect(rewrittenLocation('http://example.com/x', backend, base)).toBe('http://example.com/x');
    expect(rewrittenLocation('http://10.65.0.4:9090/x', backend, base)).toBe('http://10.65.0.4:9090/x');
    expect(rewrittenLocation('//cdn.example.com/x', backend, base)).toBe('//cdn.example.com/x');
    expect(rewrittenLocation('next', backend, base)).toBe('next');
    expect(rewrittenLocation(`${base}/x?y=1`, backend, base)).toBe(`${base}/x?y=1`);
    expect(rewrittenLocation(`http://10.65.0.4:8080${base}/x`, backend, base)).toBe(`${base}/x`);
    expect(rewrittenLocation('http://10.65.0.4/x', { scheme: 'http', host: '10.65.0.4' }, base)).toBe(`${base}/x`);
  });

  it('sends an upgrade on with its backend path and host, its own headers, and the upgrade it asks for', () => {
    const req = {
      method: 'GET',
      headers: { host: 'gw:6443', authorization: 'Bearer t', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k==', 'sec-websocket-version': '13' },
      socket: { remoteAddress: '127.0.0.1' },
    } as any;
    expect(upgradeRequestHead(req, { scheme: 'http', host: '10.65.0.4', port: 3000 }, '/api/live?x=1').split('\r\n')).toEqual([
      'GET /api/live?x=1 HTTP/1.1', 'host: 10.65.0.4:3000', 'sec-websocket-key: k==', 'sec-websocket-version: 13',
      'x-forwarded-for: 127.0.0.1', 'x-forwarded-host: gw:6443', 'x-forwarded-proto: https', 'connection: Upgrade', 'upgrade: websocket', '', '',
    ]);
  });

  it("gives up on a backend that does not answer the connect within kube-apiserver's dial timeout", () => {
    jest.useFakeTimers();
    try {
      const socket = Object.assign(new EventEmitter(), { connecting: true });
      const request = Object.assign(new EventEmitter(), { destroy: jest.fn() });
      whenConnecting(request as any, { scheme: 'http', host: '10.65.0.4', port: 8080 });
      request.emit('socket', socket);
      jest.advanceTimersByTime(PROXY_DIAL_TIMEOUT_MS - 1);
      expect(request.destroy).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(request.destroy).toHaveBeenCalledWith(new Error('dial tcp 10.65.0.4:8080: i/o timeout'));
      // One that connects in time is not touched.
      const quick = Object.assign(new EventEmitter(), { destroy: jest.fn() });
      const quickSocket = Object.assign(new EventEmitter(), { connecting: true });
      whenConnecting(quick as any, { scheme: 'https', host: '10.65.0.5' });
      quick.emit('socket', quickSocket);
      quickSocket.emit('connect');
      jest.advanceTimersByTime(PROXY_DIAL_TIMEOUT_MS);
      expect(quick.destroy).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });
});
