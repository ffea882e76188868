import { servingCertificateSans } from './ensure-pki';

describe('servingCertificateSans', () => {
  it('adds the kubernetes Service names and its cluster IP (the first of the service range) to the configured SANs', () => {
    expect(servingCertificateSans(['localhost', '127.0.0.1', 'api-gateway'], '10.96.0.0/16')).toEqual([
      'localhost', '127.0.0.1', 'api-gateway',
      'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '10.96.0.1',
    ]);
    expect(servingCertificateSans([], '127.202.0.0/16')).toContain('127.202.0.1');
  });

  it('names each once, whatever the case or spelling the configuration used', () => {
    expect(servingCertificateSans(['Kubernetes.Default.Svc', '10.97.0.1', 'gw.example.com'], '10.97.0.0/16')).toEqual([
      'Kubernetes.Default.Svc', '10.97.0.1', 'gw.example.com', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc.cluster.local',
    ]);
  });
});
