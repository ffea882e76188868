import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestCluster } from '@openpacific/testing';

export interface KubectlWatch {
  /** Everything the watching kubectl printed so far. */
  output(): string;
  stop(): void;
}

/**
 * A long-running kubectl (e.g. `get -w`), kept running while the test acts;
 * the harness's kubectl() only returns once the process ends.
 */
export function startKubectlWatch(cluster: TestCluster, args: string[]): KubectlWatch {
  const child = spawn('/usr/bin/kubectl', args, {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: join(cluster.dataDir, 'kube-cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    output: () => out,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A kubectl manifest on stdin: JSON is YAML, and keeps the test free of indentation. */
export const manifest = (o: object): string => JSON.stringify(o);

export const namespace = (name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>) =>
  manifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ...(annotations ? { annotations } : {}) } });
