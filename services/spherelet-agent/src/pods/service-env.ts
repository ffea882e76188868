/**
 * The Docker-links-style variables kubelet gives every container for each Service of its namespace
 * (`enableServiceLinks`, on by default): `<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT`, `<SVC>_SERVICE_PORT_<NAME>`,
 * `<SVC>_PORT` and `<SVC>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`. Headless services and ExternalName services
 * (no cluster IP) give none. `master`, the `kubernetes` Service of `default`, gives its variables to every pod
 * (KUBERNETES_SERVICE_HOST…, what in-cluster clients read). Pure: the caller passes the services that exist when
 * the container starts.
 */
export interface EnvVar {
  name: string;
  value: string;
}

const envName = (name: string) => name.toUpperCase().replace(/-/g, '_');

function hasClusterIP(svc: any): boolean {
  const ip = svc?.spec?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None';
}

export function serviceEnvVars(pod: any, services: any[], master?: any): EnvVar[] {
  const vars: EnvVar[] = [];
  const links = pod?.spec?.enableServiceLinks === false ? [] : services.filter((s) => s?.metadata?.namespace === pod?.metadata?.namespace);
  // The API's own Service (`kubernetes` in `default`) is given to every pod of every namespace, links or not, as kubelet does.
  const ofDefault = pod?.metadata?.namespace === 'default' && pod?.spec?.enableServiceLinks !== false;
  const own = [...links, ...(master && !ofDefault ? [master] : [])]
    .filter((s) => hasClusterIP(s) && !s.metadata.deletionTimestamp)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const svc of own) {
    const prefix = envName(svc.metadata.name);
    const host = svc.spec.clusterIP as string;
    const ports: any[] = svc.spec.ports ?? [];
    vars.push({ name: `${prefix}_SERVICE_HOST`, value: host });
    if (ports.length === 0) continue;
    vars.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) if (p.name) vars.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    const first = ports[0];
    vars.push({ name: `${prefix}_PORT`, value: `${(first.protocol ?? 'TCP').toLowerCase()}://${host}:${first.port}` });
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP') as string;
      const base = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      vars.push({ name: base, value: `${proto.toLowerCase()}://${host}:${p.port}` });
      vars.push({ name: `${base}_PROTO`, value: proto.toLowerCase() });
      vars.push({ name: `${base}_PORT`, value: String(p.port) });
      vars.push({ name: `${base}_ADDR`, value: host });
    }
  }
  return vars;
}

/** The container's own `env` wins over service variables of the same name, as in kubelet. */
export function withServiceEnv(own: EnvVar[], services: EnvVar[]): EnvVar[] {
  const mine = new Set(own.map((e) => e.name));
  return [...services.filter((e) => !mine.has(e.name)), ...own];
}
