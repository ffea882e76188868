import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caCertPem: string;
  clusterName: string;
  /** One context per user; the first user's context is the current one. */
  users: Array<{ name: string; token: string }>;
  contextName: string;
  namespace: string;
}

/** Context names: the first user's context is `contextName`, others `<user>@<contextName>`. */
export function kubeconfigContextName(opts: Pick<KubeconfigOptions, 'contextName'>, user: string, index: number): string {
  return index === 0 ? opts.contextName : `${user}@${opts.contextName}`;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  if (opts.users.length === 0) throw new Error('a kubeconfig needs at least one user');
  const contexts = opts.users.map((u, i) => ({
    name: kubeconfigContextName(opts, u.name, i),
    context: { cluster: opts.clusterName, user: u.name, namespace: opts.namespace },
  }));
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: opts.clusterName,
        cluster: {
          server: opts.server,
          'certificate-authority-data': Buffer.from(opts.caCertPem, 'utf8').toString('base64'),
        },
      },
    ],
    users: opts.users.map((u) => ({ name: u.name, user: { token: u.token } })),
    contexts,
    'current-context': contexts[0].name,
  });
}
