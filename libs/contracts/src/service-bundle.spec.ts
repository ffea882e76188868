import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_BUNDLE_INPUTS, serviceBundlePath, staleServiceBundle } from './service-bundle';

describe('a service bundle', () => {
  let repo: string;
  const at = (file: string, seconds: number) => utimesSync(join(repo, file), seconds, seconds);

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'bundle-'));
    mkdirSync(join(repo, 'services', 'policy', 'dist'), { recursive: true });
    mkdirSync(join(repo, 'libs', 'kit', 'dist'), { recursive: true });
    writeFileSync(join(repo, 'libs', 'kit', 'dist', 'index.js'), '');
    writeFileSync(join(repo, 'services', 'policy', 'dist', 'main.js'), '');
    writeFileSync(serviceBundlePath(repo, 'policy'), '');
    writeFileSync(join(repo, 'services', 'policy', 'dist', SERVICE_BUNDLE_INPUTS), JSON.stringify(['services/policy/dist/main.js', 'libs/kit/dist/index.js']));
    at('libs/kit/dist/index.js', 1_000);
    at('services/policy/dist/main.js', 1_000);
    at('services/policy/dist/main.bundle.js', 2_000);
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('is runnable when it is newer than every file it was made from', () => {
    expect(serviceBundlePath(repo, 'policy')).toBe(join(repo, 'services', 'policy', 'dist', 'main.bundle.js'));
    expect(staleServiceBundle(repo, 'policy')).toBeUndefined();
  });

  it('is stale when one of its inputs changed after it was made (tsc -b without npm run build)', () => {
    at('libs/kit/dist/index.js', 3_000);
    expect(staleServiceBundle(repo, 'policy')).toBe(`${serviceBundlePath(repo, 'policy')} is older than libs/kit/dist/index.js`);
  });

  it('is stale when an input is gone, and missing without its list of inputs or itself', () => {
    rmSync(join(repo, 'libs', 'kit', 'dist', 'index.js'));
    expect(staleServiceBundle(repo, 'policy')).toMatch(/was made from libs\/kit\/dist\/index\.js, which is gone$/);
    rmSync(join(repo, 'services', 'policy', 'dist', SERVICE_BUNDLE_INPUTS));
    expect(staleServiceBundle(repo, 'policy')).toMatch(/main\.bundle\.js is missing$/);
    expect(staleServiceBundle(repo, 'scheduler')).toBe(`${serviceBundlePath(repo, 'scheduler')} is missing`);
  });
});
