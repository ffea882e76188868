import { serviceEnvVars, withServiceEnv } from './service-env';

const pod = (extra: any = {}) => ({ metadata: { name: 'p', namespace: 'ns1' }, spec: { containers: [], ...extra } });
const svc = (name: string, spec: any, namespace = 'ns1') => ({ metadata: { name, namespace }, spec });

describe('serviceEnvVars', () => {
  it('gives kubelet-style variables for each service with a cluster IP in the pod namespace', () => {
    const vars = Object.fromEntries(
      serviceEnvVars(pod(), [
        svc('web-front', { clusterIP: '127.202.1.2', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
        svc('other', { clusterIP: '127.202.9.9', ports: [{ port: 1 }] }, 'ns2'),
        svc('headless', { clusterIP: 'None', ports: [{ port: 5 }] }),
      ]).map((e) => [e.name, e.value]),
    );
    expect(vars).toEqual({
      WEB_FRONT_SERVICE_HOST: '127.202.1.2',
      WEB_FRONT_SERVICE_PORT: '80',
      WEB_FRONT_SERVICE_PORT_HTTP: '80',
      WEB_FRONT_SERVICE_PORT_DNS: '53',
      WEB_FRONT_PORT: 'tcp://127.202.1.2:80',
      WEB_FRONT_PORT_80_TCP: 'tcp://127.202.1.2:80',
      WEB_FRONT_PORT_80_TCP_PROTO: 'tcp',
      WEB_FRONT_PORT_80_TCP_PORT: '80',
      WEB_FRONT_PORT_80_TCP_ADDR: '127.202.1.2',
      WEB_FRONT_PORT_53_UDP: 'udp://127.202.1.2:53',
      WEB_FRONT_PORT_53_UDP_PROTO: 'udp',
      WEB_FRONT_PORT_53_UDP_PORT: '53',
      WEB_FRONT_PORT_53_UDP_ADDR: '127.202.1.2',
    });
  });

  it('gives nothing when service links are disabled', () => {
    expect(serviceEnvVars(pod({ enableServiceLinks: false }), [svc('a', { clusterIP: '127.202.0.1', ports: [{ port: 80 }] })])).toEqual([]);
  });

  it('lets the container env win over a service variable of the same name', () => {
    const merged = withServiceEnv([{ name: 'A_SERVICE_HOST', value: 'mine' }], serviceEnvVars(pod(), [svc('a', { clusterIP: '127.202.0.1', ports: [{ port: 80 }] })]));
    expect(merged.filter((e) => e.name === 'A_SERVICE_HOST')).toEqual([{ name: 'A_SERVICE_HOST', value: 'mine' }]);
    expect(merged.find((e) => e.name === 'A_SERVICE_PORT')?.value).toBe('80');
  });
});

describe('the API Service variables', () => {
  const master = { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.97.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } };
  const names = (vars: { name: string }[]) => vars.map((v) => v.name).filter((n) => n.startsWith('KUBERNETES_'));

  it('reach a pod of any namespace, with or without service links, once each', () => {
    const expected = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'KUBERNETES_SERVICE_PORT_HTTPS', 'KUBERNETES_PORT', 'KUBERNETES_PORT_443_TCP', 'KUBERNETES_PORT_443_TCP_PROTO', 'KUBERNETES_PORT_443_TCP_PORT', 'KUBERNETES_PORT_443_TCP_ADDR'];
    const inNs = (namespace: string, enableServiceLinks?: boolean) => ({ metadata: { name: 'p', namespace }, spec: { enableServiceLinks } });
    expect(names(serviceEnvVars(inNs('team-a'), [], master))).toEqual(expected);
    expect(names(serviceEnvVars(inNs('team-a', false), [], master))).toEqual(expected);
    expect(names(serviceEnvVars(inNs('default'), [master], master))).toEqual(expected);
    expect(names(serviceEnvVars(inNs('default', false), [master], master))).toEqual(expected);
    expect(serviceEnvVars(inNs('team-a'), [], master).find((v) => v.name === 'KUBERNETES_SERVICE_HOST')?.value).toBe('10.97.0.1');
  });
});
