import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterLauncher } from './cluster-launcher';
import { readLauncherConfig } from './launcher-config';

describe('the launcher before it starts anything', () => {
  let repo: string;
  beforeEach(() => (repo = mkdtempSync(join(tmpdir(), 'launcher-repo-'))));
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('refuses services that are not bundled, naming each and what to run', async () => {
    const launcher = new ClusterLauncher(readLauncherConfig({}, repo), () => undefined);
    const err = await launcher.start().then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: 'LAUNCHER.NOT_BUILT' });
    expect(err?.message).toContain(join(repo, 'services', 'api-gateway', 'dist', 'main.bundle.js'));
    expect(err?.message).toContain(join(repo, 'services', 'crx-runtime', 'dist', 'main.bundle.js'));
    expect(err?.message).toMatch(/\(run npm run build\)$/);
  });

  it('refuses a SERVICE_MAIN test script that is missing', async () => {
    const err = await new ClusterLauncher(readLauncherConfig({ SERVICE_MAIN: 'fixtures/absent.js' }, repo), () => undefined).start().then(() => undefined, (e: Error) => e);
    expect(err?.message).toBe(`not built: ${join(repo, 'fixtures', 'absent.js')} is missing (run npm run build)`);
  });
});
