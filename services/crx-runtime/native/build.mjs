// Builds the host's native programs into dist/shim/, beside the shim: crx-init (crx-init.c), which sets up an isolated
// container and stays its init; crx-monitor (crx-monitor.c), which forks the containers and writes their logs for the
// shim; crx-netns (crx-netns.c), which makes a pod's network namespace when no spare is ready; crx-pidns (crx-pidns.c),
// which makes the PID namespace of a pod that shares one (shareProcessNamespace). Run by
// `npm run build`. Static, so that starting them loads no shared libraries. Without a C compiler (`cc`, Debian's
// build-essential) it builds nothing and says so: the runtime then runs containers on the host's root
// (`isolation: none`), as it does without root or busybox-static, the shim forks them itself, and the runtime sets
// up pod networks with `ip` and `nsenter`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'dist', 'shim');
mkdirSync(outDir, { recursive: true });
for (const program of ['crx-init', 'crx-monitor', 'crx-netns', 'crx-pidns']) {
  const out = join(outDir, program);
  try {
    execFileSync('cc', ['-O2', '-static', '-Wall', '-Wextra', '-Werror', '-o', out, join(here, `${program}.c`)], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    rmSync(out, { force: true });
    if (err.code !== 'ENOENT') throw err;
    const without = { 'crx-init': 'containers will run without isolation', 'crx-monitor': 'the shim forks containers itself', 'crx-netns': 'the runtime sets up pod networks with ip and nsenter', 'crx-pidns': 'no pod shares a PID namespace' };
    console.warn(`crx-runtime: no C compiler (cc), so no ${program}: ${without[program]}`);
  }
}
