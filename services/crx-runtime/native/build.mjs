// Builds the host's two native programs into dist/shim/, beside the shim that runs them: crx-init (crx-init.c), which
// sets up an isolated container and stays its init, and crx-monitor (crx-monitor.c), which forks the containers and
// writes their logs for the shim. Run by `npm run build`. Static, so that starting them loads no shared libraries.
// Without a C compiler (`cc`, Debian's build-essential) it builds nothing and says so: the runtime then runs
// containers on the host's root (`isolation: none`), as it does without root or busybox-static, and the shim forks
// them itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'dist', 'shim');
mkdirSync(outDir, { recursive: true });
for (const program of ['crx-init', 'crx-monitor']) {
  const out = join(outDir, program);
  try {
    execFileSync('cc', ['-O2', '-static', '-Wall', '-Wextra', '-Werror', '-o', out, join(here, `${program}.c`)], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    rmSync(out, { force: true });
    if (err.code !== 'ENOENT') throw err;
    console.warn(`crx-runtime: no C compiler (cc), so no ${program}: ${program === 'crx-init' ? 'containers will run without isolation' : 'the shim forks containers itself'}`);
  }
}
