import { spawn } from 'node:child_process';

/**
 * An interactive kubectl command (`kubectl run -it`, `kubectl debug -it`) on a terminal: kubectl refuses -t when its
 * stdin is no terminal, so util-linux script gives it one, fed from `input` (printf's escapes: `\\n`). Resolves with
 * everything it printed and its exit code. A shell that never exits would leave kubectl and script behind the failed
 * test: they go as a group after `timeoutMs`.
 */
export async function kubectlOnTerminal(command: string, input: string, env: NodeJS.ProcessEnv, timeoutMs = 100_000): Promise<{ out: string; code: number | null }> {
  const child = spawn('sh', ['-c', `printf '${input}' | script -qec '${command}' /dev/null`], { env, detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(guard);
  return { out, code };
}
