import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

// docker-compose.yml cannot be run here (no Docker engine), so this keeps it in step
// with the launcher's topology and with what each service's config schema requires.
const repoRoot = resolve(__dirname, '..', '..');
const composeFile = join(repoRoot, 'docker-compose.yml');
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
};

const controlPlane = ['policy', 'api-gateway', 'scheduler', 'vm-operator', 'cluster-api'];
const hosts = [1, 2, 3];
const hostContainers = hosts.flatMap((n) => [`spherelet-agent-${n}`, `crx-runtime-${n}`]);
const baseVariables = ['DATABASE_URL', 'NATS_URL', 'NATS_PREFIX', 'LOG_LEVEL', 'HEALTH_PORT', 'INSTANCE_ID'];

/** services/<name>/src/<name>.config.ts `configSchema`, or undefined while the service does not have one yet. */
function configSchemaOf(service: string): { required?: string[] } | undefined {
  const file = join(repoRoot, 'services', service, 'src', `${service}.config.ts`);
  if (!existsSync(file)) return undefined;
  return (require(file) as { configSchema?: { required?: string[] } }).configSchema;
}

/** The service's own boot-time check (ajv, coercion, formats); loaded lazily so a missing library only skips it. */
function validateEnvironment(schema: object, env: Record<string, string>): void {
  const { loadConfig } = require('@openpacific/service-kit') as { loadConfig: (s: object, e: Record<string, string>) => unknown };
  loadConfig(schema, env);
}

function serviceOf(container: string): string {
  return container.replace(/-\d+$/, '');
}

describe('docker-compose.yml', () => {
  it('runs NATS, Postgres, every control-plane service and three hosts', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['nats', 'postgres', ...controlPlane, ...hostContainers].sort());
  });

  it.each([...controlPlane, ...hostContainers])('starts %s from its built main.js', (container) => {
    expect(compose.services[container].command).toEqual(['node', `services/${serviceOf(container)}/dist/main.js`]);
  });

  it.each([...controlPlane, ...hostContainers])('gives %s the shared environment', (container) => {
    expect(Object.keys(compose.services[container].environment ?? {})).toEqual(expect.arrayContaining(baseVariables));
  });

  it('shares one datastore volume between the scheduler, which provisions volumes, cluster-api, which gives guests a folder of it, and every host, which mounts them', () => {
    const mounts = (name: string) => ((compose.services[name] as { volumes?: string[] }).volumes ?? []);
    for (const name of ['scheduler', 'cluster-api']) expect(compose.services[name].environment?.DATASTORE_DIR).toBe('/datastore');
    for (const name of ['scheduler', 'cluster-api', ...hostContainers]) expect(mounts(name)).toContain('datastore:/datastore');
  });

  it.each(hosts)('names host %i in both of its services', (n) => {
    expect(compose.services[`spherelet-agent-${n}`].environment?.HOST_NAME).toBe(`host-${n}`);
    expect(compose.services[`crx-runtime-${n}`].environment?.HOST_NAME).toBe(`host-${n}`);
  });

  it.each([...controlPlane, ...hostContainers])('sets every variable the config schema of %s requires', (container) => {
    const required = configSchemaOf(serviceOf(container))?.required ?? [];
    const environment = compose.services[container].environment ?? {};
    expect(required.filter((name) => environment[name] === undefined || environment[name] === '')).toEqual([]);
  });

  it.each([...controlPlane, ...hostContainers])('gives %s an environment its config schema accepts', (container) => {
    const schema = configSchemaOf(serviceOf(container));
    const environment = compose.services[container].environment ?? {};
    expect(() => schema && validateEnvironment(schema, environment)).not.toThrow();
  });

  it('starts the gateway and the controllers after policy is healthy', () => {
    for (const service of ['api-gateway', 'scheduler', 'vm-operator', 'cluster-api']) {
      expect(compose.services[service].depends_on).toHaveProperty('policy', { condition: 'service_healthy' });
    }
  });

  const dockerCompose = '/usr/bin/docker-compose';
  (existsSync(dockerCompose) ? it : it.skip)('is accepted by docker-compose config', async () => {
    const code = await new Promise<number>((res) => {
      execFile(dockerCompose, ['-f', composeFile, 'config', '-q'], { cwd: repoRoot }, (err) => res(err ? Number(err.code ?? 1) : 0));
    });
    expect(code).toBe(0);
  }, 30_000);
});
