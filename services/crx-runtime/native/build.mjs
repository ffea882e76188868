// Builds crx-init (crx-init.c beside this file), the program that sets up an isolated container and stays its
// init, into dist/shim/ beside the shim that starts it. Run by `npm run build`. Static, so that each container
// start loads no shared libraries. Without a C compiler (`cc`, Debian's build-essential) it builds nothing and
// says so: the runtime then runs containers on the host's root (`isolation: none`), as it does without root or
// busybox-static.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'shim', 'crx-init');
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync('cc', ['-O2', '-static', '-Wall', '-Wextra', '-Werror', '-o', out, join(here, 'crx-init.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (err) {
  rmSync(out, { force: true });
  if (err.code !== 'ENOENT') throw err;
  console.warn('crx-runtime: no C compiler (cc), so no crx-init: containers will run without isolation');
}
