import { podResource } from '@openpacific/contracts';
import { prepareForSubresourceUpdate } from './object-rules';
import { defaultEphemeralContainers, validatePod, validatePodUpdate } from './pod.strategy';
import { validatePodCreate } from './ephemeral-containers.validation';

const debugger0 = { name: 'dbg', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
const pod = (ephemeralContainers?: any[]) => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'app', image: 'busybox' }], ...(ephemeralContainers ? { ephemeralContainers } : {}) },
});
const forbiddenFor = (field: string) => ({ field, reason: 'FieldValueForbidden', message: 'Forbidden: cannot be set for an Ephemeral Container' });

describe('ephemeral containers, validated as kube-apiserver does', () => {
  it('accepts a container with the fields kubectl debug sends, an empty resources among them', () => {
    expect(validatePod(pod([{ ...debugger0, resources: {}, stdin: true, tty: true, targetContainerName: 'app', env: [{ name: 'A', value: '1' }] }]))).toEqual([]);
  });

  it('refuses each field an ephemeral container may not set, naming it', () => {
    const causes = validatePod(pod([{
      ...debugger0,
      ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } }, resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
      livenessProbe: { exec: { command: ['true'] } }, readinessProbe: { exec: { command: ['true'] } }, startupProbe: { exec: { command: ['true'] } },
      lifecycle: { preStop: { exec: { command: ['true'] } } }, restartPolicy: 'Always',
    }]));
    expect(causes).toEqual(['ports', 'resources', 'resizePolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'restartPolicy'].map((f) => forbiddenFor(`spec.ephemeralContainers[0].${f}`)));
  });

  it('refuses a subPath mount', () => {
    const p = { ...pod([{ ...debugger0, volumeMounts: [{ name: 'v', mountPath: '/v', subPath: 'x' }] }]) };
    (p.spec as any).volumes = [{ name: 'v', emptyDir: {} }];
    expect(validatePod(p)).toEqual([forbiddenFor('spec.ephemeralContainers[0].volumeMounts[0].subPath')]);
  });

  it('refuses a name any container of the pod has, or another ephemeral container has, as Duplicate', () => {
    const causes = validatePod(pod([{ ...debugger0, name: 'app' }, { ...debugger0, name: 'init' }, debugger0, debugger0]));
    expect(causes).toEqual([
      { field: 'spec.ephemeralContainers[0].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "app"' },
      { field: 'spec.ephemeralContainers[1].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "init"' },
      { field: 'spec.ephemeralContainers[3].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "dbg"' },
    ]);
  });

  it('refuses a name that is no DNS label, a missing image and a target that is no container of the pod', () => {
    const causes = validatePod(pod([{ name: 'Dbg_1', targetContainerName: 'nope' }]));
    expect(causes.map((c) => [c.field, c.reason])).toEqual([
      ['spec.ephemeralContainers[0].name', 'FieldValueInvalid'],
      ['spec.ephemeralContainers[0].image', 'FieldValueRequired'],
      ['spec.ephemeralContainers[0].targetContainerName', 'FieldValueNotFound'],
    ]);
    expect(causes[2].message).toBe('Not found: "nope"');
  });

  it('checks their env as other containers\' env', () => {
    expect(validatePod(pod([{ ...debugger0, env: [{ name: '' }] }])).map((c) => c.field)).toEqual(['spec.ephemeralContainers[0].env[0].name']);
  });

  it('refuses them on create', () => {
    expect(validatePodCreate(pod([debugger0]))).toEqual([{ field: 'spec.ephemeralContainers', reason: 'FieldValueForbidden', message: 'Forbidden: cannot be set on create' }]);
    expect(validatePodCreate(pod())).toEqual([]);
  });

  it('defaults a new one\'s pull policy and termination message as other containers\'', () => {
    const p = defaultEphemeralContainers(pod([{ name: 'dbg', image: 'busybox:1.36' }]));
    expect(p.spec.ephemeralContainers[0]).toEqual({ name: 'dbg', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
  });
});

describe('the ephemeralcontainers subresource', () => {
  const through = (old: any, next: any) => validatePodUpdate(old, next, 'ephemeralcontainers');

  it('adds ephemeral containers', () => {
    expect(through(pod(), pod([debugger0]))).toEqual([]);
    expect(through(pod([debugger0]), pod([debugger0, { ...debugger0, name: 'dbg2' }]))).toEqual([]);
  });

  it('refuses to change or remove one that is there', () => {
    expect(through(pod([debugger0]), pod([{ ...debugger0, image: 'alpine' }]))).toEqual([
      { field: 'spec.ephemeralContainers', reason: 'FieldValueForbidden', message: 'Forbidden: existing ephemeral containers "dbg" may not be changed' },
    ]);
    expect(through(pod([debugger0]), pod([]))).toEqual([
      { field: 'spec.ephemeralContainers', reason: 'FieldValueForbidden', message: 'Forbidden: existing ephemeral containers "dbg" may not be removed' },
    ]);
  });

  it('takes only spec.ephemeralContainers of what is sent: the rest of the pod stays as stored', () => {
    const stored = { ...pod(), metadata: { name: 'p', namespace: 'default', resourceVersion: '7', labels: { a: 'b' } }, status: { phase: 'Running' } };
    const sent = { ...pod([debugger0]), metadata: { name: 'p', labels: { x: 'y' } }, status: { phase: 'Failed' } };
    sent.spec.containers = [{ name: 'app', image: 'alpine' }];
    const next = prepareForSubresourceUpdate(podResource, 'ephemeralcontainers', stored, sent);
    expect(next).toEqual({ ...stored, metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } }, spec: { ...stored.spec, ephemeralContainers: [debugger0] } });
  });

  it('is the only way: an update of the pod itself may not add, change or remove them', () => {
    const refused = { field: 'spec.ephemeralContainers', reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not change spec.ephemeralContainers: they are added through the ephemeralcontainers subresource' };
    expect(validatePodUpdate(pod(), pod([debugger0]))).toEqual([refused]);
    expect(validatePodUpdate(pod([debugger0]), pod())).toEqual([refused]);
    expect(validatePodUpdate(pod([debugger0]), pod([debugger0]))).toEqual([]);
  });
});
