import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importImageArchive } from './images/oci-archive';
import { ImageStore } from './runtime/image-store';

const USAGE = `usage: node services/crx-runtime/dist/cli.js images import <archive> [--name <name[:tag]>] [--root <CRX_ROOT>]...
       node services/crx-runtime/dist/cli.js images list [--root <CRX_ROOT>]...

Without --root, every host of the local cluster: \${DATA_DIR:-.data}/hosts/*/crx.
From the repository: npm run images -- import ./app.tar`;

class UsageError extends Error {}

interface Args {
  command: 'import' | 'list';
  archive?: string;
  name?: string;
  roots: string[];
}

/** A host's crx root (CRX_ROOT) and how to call it in output. */
interface Target {
  label: string;
  imagesRoot: string;
}

function parseArgs(argv: string[]): Args {
  const [group, command, ...rest] = argv;
  if (group !== 'images' || (command !== 'import' && command !== 'list')) throw new UsageError();
  const args: Args = { command, roots: [] };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--root') args.roots.push(value());
    else if (arg === '--name' && command === 'import') args.name = value();
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (command === 'import' && positional.length !== 1) throw new UsageError('images import takes exactly one archive');
  if (command === 'list' && positional.length !== 0) throw new UsageError('images list takes no arguments');
  args.archive = positional[0];
  return args;
}

function targets(roots: string[]): Target[] {
  if (roots.length > 0) return roots.map((r) => ({ label: r, imagesRoot: join(resolve(r), 'images') }));
  // Relative DATA_DIR is taken from the repository root, as the local-cluster launcher does (dist/ → services/crx-runtime → repo).
  const dataDir = resolve(__dirname, '..', '..', '..', process.env.DATA_DIR || '.data');
  const hostsDir = join(dataDir, 'hosts');
  const hosts = existsSync(hostsDir) ? readdirSync(hostsDir).filter((h) => isDirectory(join(hostsDir, h, 'crx'))).sort() : [];
  if (hosts.length === 0) {
    throw new Error(`no local cluster hosts under ${hostsDir}: start the cluster first (npm start) or pass --root <CRX_ROOT>`);
  }
  return hosts.map((h) => ({ label: h, imagesRoot: join(hostsDir, h, 'crx', 'images') }));
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return `${algorithm}:${hex.slice(0, 12)}…`;
}

async function importInto(args: Args): Promise<void> {
  const archive = resolve(args.archive as string);
  for (const target of targets(args.roots)) {
    mkdirSync(target.imagesRoot, { recursive: true });
    const images = await importImageArchive(archive, target.imagesRoot, { name: args.name });
    for (const image of images) {
      for (const warning of image.warnings) process.stderr.write(`warning: ${image.name}: skipped ${warning}\n`);
      const layers = `${image.layers} layer${image.layers === 1 ? '' : 's'}`;
      process.stdout.write(`imported ${image.name} (${shortDigest(image.digest)}, ${layers}) into ${target.label}\n`);
    }
  }
}

function list(args: Args): void {
  for (const target of targets(args.roots)) {
    process.stdout.write(`${target.label}:\n`);
    for (const image of new ImageStore(target.imagesRoot).list()) {
      const details = [image.digest ? shortDigest(image.digest) : 'built-in', image.importedAt ? `imported ${image.importedAt}` : ''].filter(Boolean);
      process.stdout.write(`  ${image.name}  ${details.join('  ')}\n`);
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError && e.message) process.stderr.write(`${e.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    if (args.command === 'import') await importInto(args);
    else list(args);
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
