import { gatewayEndpoint, kubernetesServiceSpec } from './kubernetes-service';

describe('the kubernetes Service', () => {
  it('names the gateway by the IPv4 host of its public URL, else 127.0.0.1, at the port it listens on', () => {
    expect(gatewayEndpoint('https://10.0.0.5:6443', 6443)).toEqual({ address: '10.0.0.5', port: 6443 });
    expect(gatewayEndpoint('https://api.example.com:443', 7443)).toEqual({ address: '127.0.0.1', port: 7443 });
    expect(gatewayEndpoint('https://[::1]:6443', 6443)).toEqual({ address: '127.0.0.1', port: 6443 });
    expect(gatewayEndpoint(undefined, 40123)).toEqual({ address: '127.0.0.1', port: 40123 });
    expect(gatewayEndpoint('not a url', 1)).toEqual({ address: '127.0.0.1', port: 1 });
  });

  it('is a ClusterIP Service on 443 to the gateway\'s port', () => {
    expect(kubernetesServiceSpec('10.96.0.1', 6443)).toEqual({
      type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster',
    });
  });
});
