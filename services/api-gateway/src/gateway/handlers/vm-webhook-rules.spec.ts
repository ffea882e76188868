import { validateVirtualMachineService, validateVmVolumes } from './vm.strategy';

const svc = (spec: any) => ({ apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name: 'web' }, spec });
const messages = (spec: any) => validateVirtualMachineService(svc(spec)).map((c) => `${c.field}: ${c.message}`);
const http = { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 };

describe("a VirtualMachineService, as VM Operator's webhook checks it", () => {
  it('takes the services users write', () => {
    expect(messages({ type: 'LoadBalancer', selector: { app: 'web' }, ports: [http], loadBalancerSourceRanges: ['10.0.0.0/8', '2001:db8::/32'] })).toEqual([]);
    expect(messages({ type: 'ClusterIP', ports: [{ protocol: 'UDP', port: 53, targetPort: 53 }] })).toEqual([]);
    expect(messages({ type: 'ExternalName', externalName: 'db.example.com.' })).toEqual([]);
    expect(messages({ type: 'ClusterIP', clusterIp: 'None' })).toEqual([]);
  });

  it('refuses ports that no Service could have (a port of -1 was taken and failed in vm-operator for ever)', () => {
    expect(messages({ type: 'LoadBalancer', ports: [{ ...http, port: -1, targetPort: 70000 }] })).toEqual([
      'spec.ports[0].port: Invalid value: -1: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
    expect(messages({ type: 'ClusterIP', ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }, { name: 'Bad_Name', protocol: 'SCTP', port: 80, targetPort: 1 }, { name: 'Bad_Name', protocol: 'TCP', port: 81, targetPort: 1 }] })).toEqual([
      'spec.ports[0].name: Required value',
      "spec.ports[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.ports[1].protocol: Unsupported value: "SCTP": supported values: "TCP", "UDP"',
      "spec.ports[2].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.ports[2].name: Duplicate value: "Bad_Name"',
    ]);
    expect(messages({ type: 'ClusterIP', ports: [http, { ...http, name: 'again' }] })).toEqual(['spec.ports[1]: Duplicate value: {"protocol":"TCP","port":80}']);
    expect(messages({ type: 'LoadBalancer' })).toEqual(['spec.ports: Required value']);
  });

  it('refuses addresses, names, ranges and types that are none', () => {
    expect(messages({ type: 'LoadBalancer', ports: [http], loadBalancerIP: '10.0.0', loadBalancerSourceRanges: ['10.0.0.0/33'] })).toEqual([
      'spec.loadBalancerIP: Invalid value: "10.0.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'spec.loadBalancerSourceRanges: Invalid value: "[10.0.0.0/33]": must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24',
    ]);
    expect(messages({ type: 'ClusterIP', ports: [http], loadBalancerSourceRanges: ['10.0.0.0/8'] })).toEqual(["spec.loadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"]);
    expect(messages({ type: 'ExternalName', externalName: 'Not A Name' })[0]).toMatch(/^spec\.externalName: Invalid value: "Not A Name": a lowercase RFC 1123 subdomain/);
    expect(messages({ type: 'NodePort', ports: [http] })).toEqual(['spec.type: Unsupported value: "NodePort": supported values: "ClusterIP", "ExternalName", "LoadBalancer"']);
    expect(messages({ ports: [http], selector: { app: 'bad value' } })[0]).toMatch(/^spec\.selector: Invalid value: "bad value": a valid label must be/);
  });
});

describe("a VirtualMachine's volumes, as VM Operator's webhook checks them", () => {
  const vm = (volumes: any[]) => ({ metadata: { name: 'web-1' }, spec: { volumes } });
  const volumeMessages = (volumes: any[]) => validateVmVolumes(vm(volumes)).map((c) => `${c.field}: ${c.message}`);

  it('takes named volumes backed by claims', () => {
    expect(volumeMessages([{ name: 'data', persistentVolumeClaim: { claimName: 'web-1-data' } }, { name: 'logs', persistentVolumeClaim: { claimName: 'l' } }])).toEqual([]);
  });

  it('refuses a volume without a name (taken before, and its host failed to attach it for ever), twice named, or without a claim', () => {
    expect(volumeMessages([
      { name: '', persistentVolumeClaim: { claimName: 'a' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'a' } },
      { name: 'data', persistentVolumeClaim: {} },
      { name: 'Bad_Name' },
    ])).toEqual([
      'spec.volumes[0].name: Required value',
      'spec.volumes[2].name: Duplicate value: "data"',
      'spec.volumes[2].persistentVolumeClaim.claimName: Required value',
      "spec.volumes[3].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'spec.volumes[3].persistentVolumeClaim: Required value',
    ]);
  });
});
