/** The bearer token of a kubeconfig's current context; browsers cannot present client certificates. */
import { parse } from 'yaml';

export function tokenFromKubeconfig(text: string): string {
  let config: any;
  try {
    config = parse(text);
  } catch (err) {
    throw new Error(`The file is not a kubeconfig (YAML): ${(err as Error).message}`);
  }
  if (!config || config.kind !== 'Config') throw new Error('The file is not a kubeconfig: it has no "kind: Config".');
  const contextName = config['current-context'];
  const context = (config.contexts ?? []).find((c: any) => c.name === contextName)?.context;
  if (!context) throw new Error(`The kubeconfig has no context "${contextName ?? ''}" (its current-context).`);
  const user = (config.users ?? []).find((u: any) => u.name === context.user)?.user;
  if (!user) throw new Error(`The kubeconfig has no user "${context.user}" (of context "${contextName}").`);
  if (user.token) return String(user.token).trim();
  if (user['client-certificate-data'] || user['client-certificate']) {
    throw new Error(`The user "${context.user}" signs in with a client certificate, which a browser cannot use here: sign in with a token instead.`);
  }
  throw new Error(`The user "${context.user}" has no token in the kubeconfig.`);
}
