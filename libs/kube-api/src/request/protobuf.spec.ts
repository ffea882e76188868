import { parseBody } from './body';

/** Protobuf as Go writes it, field by field: length-delimited fields and varints. */
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n < 0 ? 2n ** 64n + BigInt(n) : BigInt(n);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
}
function field(n: number, value: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return Buffer.concat([varint((n << 3) | 2), varint(bytes.length), bytes]);
}
const num = (n: number, value: number) => Buffer.concat([varint(n << 3), varint(value)]);
const entry = (n: number, key: string, value: Buffer | string) => field(n, Buffer.concat([field(1, key), field(2, value)]));
const cat = (...parts: Buffer[]) => Buffer.concat(parts);
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

describe('protobuf bodies', () => {
  const envelope = (apiVersion: string, kind: string, object: Buffer) =>
    cat(Buffer.from('k8s\0', 'latin1'), field(1, cat(field(1, apiVersion), field(2, kind))), field(2, object));
  const meta = (name: string, ...more: Buffer[]) => field(1, cat(field(1, name), field(2, ''), num(7, 0), field(8, ''), ...more));

  it('decode a Namespace with its name and labels, leaving out the zero values Go writes', () => {
    const body = envelope('v1', 'Namespace', cat(meta('demo', entry(11, 'team', 'a')), field(2, ''), field(3, '')));
    expect(parseBody(body, PROTOBUF)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { team: 'a' } } });
  });

  it('decode a ConfigMap and a Secret, whose bytes become base64 as in JSON', () => {
    const cm = envelope('v1', 'ConfigMap', cat(meta('cm'), entry(2, 'a', '1'), entry(2, 'b', ''), entry(3, 'bin', Buffer.from([0, 255]))));
    expect(parseBody(cm, PROTOBUF)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1', b: '' }, binaryData: { bin: 'AP8=' } });
    const secret = envelope('v1', 'Secret', cat(meta('s'), entry(2, 'password', 'hunter2'), field(3, 'Opaque'), num(5, 0)));
    expect(parseBody(secret, PROTOBUF)).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' }, type: 'Opaque', immutable: false });
  });

  it('decode a CertificateSigningRequest as kubectl certificate approve sends it: request bytes, conditions with times, requester fields read past', () => {
    const spec = cat(field(1, Buffer.from('PEM')), field(2, 'admin'), field(4, 'system:masters'), field(5, 'client auth'), field(7, 'kubernetes.io/kube-apiserver-client'), num(8, 86400));
    const condition = cat(field(1, 'Approved'), field(2, 'KubectlApprove'), field(3, 'approved by kubectl'), field(4, cat(num(1, 1796400000), num(2, 0))), field(5, ''), field(6, 'True'));
    // lastTransitionTime unset: Go writes an empty Time, left out as in JSON.
    const body = envelope('certificates.k8s.io/v1', 'CertificateSigningRequest', cat(meta('jane'), field(2, spec), field(3, cat(field(1, condition)))));
    expect(parseBody(body, PROTOBUF)).toEqual({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'jane' },
      spec: { request: 'UEVN', usages: ['client auth'], signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 86400 },
      status: { conditions: [{ type: 'Approved', reason: 'KubectlApprove', message: 'approved by kubectl', lastUpdateTime: '2026-12-04T16:00:00Z', status: 'True' }] },
    });
  });

  it('decode a Job spec with its failure and success policies, exit codes packed as Go writes repeated numbers', () => {
    const packed = field(3, Buffer.concat([varint(1), varint(42)]));
    const rule = cat(field(1, 'FailJob'), field(2, cat(field(1, 'main'), field(2, 'In'), packed)));
    const ignore = cat(field(1, 'Ignore'), field(3, cat(field(1, 'DisruptionTarget'), field(2, 'True'))));
    const spec = cat(num(2, 3), field(9, 'Indexed'), field(11, cat(field(1, rule), field(1, ignore))), num(12, 1), num(13, 0), field(16, field(1, cat(field(1, '0-1'), num(2, 1)))));
    expect(parseBody(envelope('batch/v1', 'Job', cat(meta('j'), field(2, spec))), PROTOBUF)).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: {
        completions: 3,
        completionMode: 'Indexed',
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 0,
        successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 1 }] },
      },
    });
  });

  it('decode a Deployment as kubectl create deployment writes it: nested messages, a pointer zero kept, quantities, ports', () => {
    const container = cat(field(1, 'app'), field(2, 'busybox'), field(3, 'sleep'), field(3, '3600'), field(6, cat(field(1, ''), num(2, 0), num(3, 80), field(4, 'TCP'))),
      field(8, entry(1, 'cpu', field(1, '500m'))), field(13, ''), num(16, 0));
    const template = cat(field(1, cat(field(1, ''), entry(11, 'app', 'web'))), field(2, cat(field(2, container), field(3, ''))));
    const spec = cat(num(1, 0), field(2, entry(1, 'app', 'web')), field(3, template), field(4, ''));
    const body = envelope('apps/v1', 'Deployment', cat(meta('web', entry(11, 'app', 'web')), field(2, spec), field(3, cat(num(1, 0)))));
    expect(parseBody(body, PROTOBUF)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m' } } }] },
        },
      },
    });
  });

  it('decode a Pod as kubectl debug --copy-to posts it: every kind of volume, env source, security context and toleration a copy carries', () => {
    // The very bytes kubectl 1.32 sent for `kubectl debug rich --copy-to=rich-copy --image=busybox -- true`.
    const body = Buffer.from(KUBECTL_DEBUG_COPY.join(''), 'base64');
    const pod = parseBody(body, PROTOBUF) as any;
    expect(pod.metadata).toEqual({ name: 'rich-copy', namespace: 'default' });
    const { containers, ...spec } = pod.spec;
    expect(spec).toEqual({
      volumes: [
        { name: 'e', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        { name: 'c', configMap: { name: 'cm1', items: [{ key: 'k', path: 'p', mode: 256 }], defaultMode: 384, optional: true } },
        { name: 's', secret: { secretName: 'sec1', defaultMode: 256, optional: true } },
        {
          name: 'd',
          downwardAPI: {
            items: [{ path: 'lbl', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }, { path: 'cpu', resourceFieldRef: { containerName: 'c1', resource: 'limits.cpu', divisor: '1m' } }],
            defaultMode: 288,
          },
        },
      ],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, activeDeadlineSeconds: 5555, dnsPolicy: 'ClusterFirst', nodeSelector: { ns1: 'nv1' },
      serviceAccountName: 'default', serviceAccount: 'default', schedulerName: 'default-scheduler', automountServiceAccountToken: false, shareProcessNamespace: true, enableServiceLinks: true,
      securityContext: { runAsUser: 1001, runAsNonRoot: true, supplementalGroups: [1004], fsGroup: 1003, runAsGroup: 1002, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
      tolerations: [{ key: 'tk', operator: 'Equal', value: 'tv', effect: 'NoExecute', tolerationSeconds: 77 }],
    });
    expect(containers[0]).toEqual({
      name: 'c1', image: 'busybox', command: ['sleep', '3600'], workingDir: '/tmp', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'k', optional: true } } },
        { name: 'D', valueFrom: { secretKeyRef: { name: 'sec1', key: 'sk', optional: true } } },
        { name: 'E', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
      envFrom: [{ prefix: 'P_', configMapRef: { name: 'cm1', optional: true } }, { secretRef: { name: 'sec1', optional: true } }],
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } },
      volumeMounts: [{ name: 'e', mountPath: '/e' }, { name: 'c', readOnly: true, mountPath: '/c' }],
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'Always', stdin: true, tty: true,
      securityContext: {
        capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, privileged: false, runAsUser: 2001, runAsGroup: 2002, runAsNonRoot: true, readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' },
      },
    });
    expect(containers[1]).toEqual({ name: 'debugger-vflr8', image: 'busybox', command: ['true'], terminationMessagePolicy: 'File' });
  });

  it('decode a Pod as kubectl debug node/… writes it: host namespaces, a hostPath volume without a type, a toleration of everything', () => {
    const container = field(2, cat(field(1, 'debugger'), field(2, 'busybox'), field(3, 'ls'), field(3, '/host'), field(9, cat(field(1, 'host-root'), field(3, '/host'))), field(20, 'File')));
    // Volume: its name, then its VolumeSource (field 2), whose hostPath is field 1.
    const volume = field(1, cat(field(1, 'host-root'), field(2, field(1, field(1, '/')))));
    const spec = cat(volume, container, field(3, 'Never'), field(10, 'host-1'), num(11, 1), num(12, 1), num(13, 1), field(22, field(2, 'Exists')));
    const pod = parseBody(envelope('v1', 'Pod', cat(meta('node-debugger-host-1-abcde'), field(2, spec))), PROTOBUF) as any;
    expect(pod.spec).toEqual({
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
      containers: [{ name: 'debugger', image: 'busybox', command: ['ls', '/host'], volumeMounts: [{ name: 'host-root', mountPath: '/host' }], terminationMessagePolicy: 'File' }],
      restartPolicy: 'Never', nodeName: 'host-1', hostNetwork: true, hostPID: true, hostIPC: true, tolerations: [{ operator: 'Exists' }],
    });
    // A copy of a pod keeps the priority admission gave it (every stored pod has one): class, value and policy.
    const prioritized = cat(container, field(24, 'high'), num(25, 1000), field(31, 'PreemptLowerPriority'));
    expect((parseBody(envelope('v1', 'Pod', cat(meta('p'), field(2, prioritized))), PROTOBUF) as any).spec).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });
    // A type set on purpose is kept.
    const typed = field(1, cat(field(1, 'sock'), field(2, field(1, cat(field(1, '/run/x.sock'), field(2, 'Socket'))))));
    expect((parseBody(envelope('v1', 'Pod', cat(meta('p'), field(2, cat(typed, container)))), PROTOBUF) as any).spec.volumes).toEqual([{ name: 'sock', hostPath: { path: '/run/x.sock', type: 'Socket' } }]);
  });

  it('decode a Service port whose target is a number or a name, and RBAC bindings', () => {
    const port = (target: Buffer) => field(1, cat(field(1, '80-8080'), field(2, 'TCP'), num(3, 80), field(4, target)));
    const svc = (target: Buffer) => parseBody(envelope('v1', 'Service', cat(meta('svc'), field(2, cat(port(target), field(4, 'ClusterIP'))))), PROTOBUF) as any;
    expect(svc(cat(num(1, 0), num(2, 8080))).spec).toEqual({ type: 'ClusterIP', ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }] });
    expect(svc(cat(num(1, 1), field(3, 'http'))).spec.ports[0].targetPort).toBe('http');
    const rb = envelope('rbac.authorization.k8s.io/v1', 'RoleBinding', cat(meta('rb'), field(2, cat(field(1, 'User'), field(2, 'rbac.authorization.k8s.io'), field(3, 'dev'), field(4, ''))), field(3, cat(field(1, 'rbac.authorization.k8s.io'), field(2, 'Role'), field(3, 'r')))));
    expect(parseBody(rb, PROTOBUF)).toMatchObject({ subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'dev' }], roleRef: { kind: 'Role', name: 'r' } });
  });

  it('decode a Lease as client-go leader election updates it, its MicroTimes to the microsecond', () => {
    const microTime = (seconds: number, nanos: number) => cat(num(1, seconds), num(2, nanos));
    const spec = cat(field(1, 'pod-a_7f'), num(2, 15), field(3, microTime(1796355000, 123456789)), field(4, microTime(1796355010, 5000)), num(5, 0));
    const body = envelope('coordination.k8s.io/v1', 'Lease', cat(meta('ctrl', field(6, '42')), field(2, spec)));
    expect(parseBody(body, PROTOBUF)).toEqual({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'ctrl', resourceVersion: '42' },
      spec: { holderIdentity: 'pod-a_7f', leaseDurationSeconds: 15, acquireTime: '2026-12-04T03:30:00.123456Z', renewTime: '2026-12-04T03:30:10.000005Z', leaseTransitions: 0 },
    });
  });

  it('refuse a body that sets a field this API does not read, naming where, with a 415', () => {
    // A container with a liveness probe (Container field 10).
    const template = field(3, field(2, field(2, cat(field(1, 'app'), field(2, 'busybox'), field(10, field(1, 'x'))))));
    const body = envelope('apps/v1', 'Deployment', cat(meta('web'), field(2, template)));
    expect(() => parseBody(body, PROTOBUF)).toThrow(
      expect.objectContaining({ status: expect.objectContaining({ code: 415, message: expect.stringContaining('it sets field 10 of spec.template.spec.containers[0]') }) }),
    );
  });

  it('answer 415 for kinds or bodies this API does not take as protobuf, and 400 for a broken one', () => {
    expect(() => parseBody(envelope('v1', 'Endpoints', meta('p')), PROTOBUF)).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 415 }) }));
    expect(() => parseBody(Buffer.from('k8s\0...'), PROTOBUF)).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 415 }) }));
    const truncated = envelope('v1', 'ConfigMap', cat(meta('cm'), Buffer.from([0x12, 0x09, 0x0a])));
    expect(() => parseBody(truncated, PROTOBUF)).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400, message: expect.stringContaining('ConfigMap') }) }));
  });
});

/** A Pod in protobuf, base64, as kubectl debug --copy-to posted it (from a pod with one of each thing a copy carries). */
const KUBECTL_DEBUG_COPY = [
  'azhzAAoJCgJ2MRIDUG9kEtkGCiAKCXJpY2gtY29weRIAGgdkZWZhdWx0IgAqADIAOABCABKiBgoXCgFlEhISEAoGTWVtb3J5EgYKBDY0TWkKHwoBYxIamgEXCgUKA2NtMRIJCgFrEgFw',
  'GIACGIADIAEKEgoBcxINMgsKBHNlYzEYgAIgAQpICgFkEkOCAUAKHAoDbGJsEhUKAnYxEg9tZXRhZGF0YS5sYWJlbHMKHQoDY3B1GhYKAmMxEgpsaW1pdHMuY3B1GgQKAjFtEKACEpYD',
  'CgJjMRIHYnVzeWJveBoFc2xlZXAaBDM2MDAqBC90bXAyEgoEaHR0cBAAGJA/IgNUQ1AqADoGCgFBEgExOhwKAUISABoVChMKAnYxEg1tZXRhZGF0YS5uYW1lOhUKAUMSABoOGgwKBQoD',
  'Y20xEgFrGAE6FwoBRBIAGhAiDgoGCgRzZWMxEgJzaxgBOiEKAUUSABoaEhgKABINbGltaXRzLm1lbW9yeRoFCgMxTWlCRAoNCgNjcHUSBgoENTAwbQoRCgZtZW1vcnkSBwoFMTI4TWkS',
  'DQoDY3B1EgYKBDUwMG0SEQoGbWVtb3J5EgcKBTEyOE1pSg0KAWUQABoCL2UiADIASg0KAWMQARoCL2MiADIAahQvZGV2L3Rlcm1pbmF0aW9uLWxvZ3IGQWx3YXlzejIKEAoJTkVUX0FE',
  'TUlOEgNBTEwQACDRDygBMAE4AEDSD1oQCg5SdW50aW1lRGVmYXVsdIABAYgBAJABAZoBDwoCUF8SCQoFCgNjbTEQAZoBDgoAGgoKBgoEc2VjMRABogEERmlsZRI3Cg5kZWJ1Z2dlci12',
  'ZmxyOBIHYnVzeWJveBoEdHJ1ZSoAQgBqAHIAgAEAiAEAkAEAogEERmlsZRoGQWx3YXlzIB4osysyDENsdXN0ZXJGaXJzdDoKCgNuczESA252MUIHZGVmYXVsdEoHZGVmYXVsdFIAWABg',
  'AGgAcjAQ6QcYASDsByjrBzDqB0oOT25Sb290TWlzbWF0Y2hSEAoOUnVudGltZURlZmF1bHSCAQCKAQCaARFkZWZhdWx0LXNjaGVkdWxlcqgBALIBHAoCdGsSBUVxdWFsGgJ0diIJTm9F',
  'eGVjdXRlKE3CAQDYAQHwAQEaEAoAGgAiACoAMgBKAFoAcgAaACIA',
];
