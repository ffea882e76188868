import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrxErrorCodes } from '@openpacific/contracts';
import { mountSubPath, prepareSubPath, SubPathError } from './sub-path';

describe('prepareSubPath', () => {
  let root: string;
  let volume: string;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'crx-subpath-')));
    volume = join(root, 'volume');
    mkdirSync(volume);
    mkdirSync(join(root, 'outside'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const refusal = (subPath: string) => {
    try {
      prepareSubPath(volume, subPath);
    } catch (err) {
      return { step: (err as SubPathError).step, message: (err as Error).message };
    }
    throw new Error(`subPath ${subPath} was not refused`);
  };

  it('makes a missing subPath a directory at every level, each with the volume\'s mode whatever the umask', () => {
    chmodSync(volume, 0o2777);
    expect(prepareSubPath(volume, 'logs/web-0/')).toEqual({ source: join(volume, 'logs', 'web-0'), volume });
    for (const dir of ['logs', 'logs/web-0']) {
      expect(statSync(join(volume, dir)).isDirectory()).toBe(true);
      expect(statSync(join(volume, dir)).mode & 0o7777).toBe(0o2777);
    }
  });

  it('gives an existing file as the file, and follows symlinks that stay inside the volume to what they name', () => {
    mkdirSync(join(volume, '..2026_01_01'));
    writeFileSync(join(volume, '..2026_01_01', 'app.conf'), 'a=1');
    symlinkSync('..2026_01_01', join(volume, '..data'));
    symlinkSync('..data/app.conf', join(volume, 'app.conf'));
    expect(prepareSubPath(volume, 'app.conf')).toEqual({ source: join(volume, '..2026_01_01', 'app.conf'), volume });
    expect(prepareSubPath(volume, '.')).toEqual({ source: volume, volume });
  });

  it('resolves the volume itself when its own path has a symlink', () => {
    symlinkSync(volume, join(root, 'link'));
    mkdirSync(join(volume, 'data'));
    expect(prepareSubPath(join(root, 'link'), 'data')).toEqual({ source: join(volume, 'data'), volume });
  });

  it('refuses a subPath whose real path leaves the volume, existing or to be made through a symlink out', () => {
    symlinkSync('/', join(volume, 'root'));
    symlinkSync('../outside', join(volume, 'up'));
    writeFileSync(join(root, 'outside', 'secret'), 's');
    expect(refusal('root')).toEqual({ step: 'prepare', message: `subpath / not within volume path ${volume}` });
    expect(refusal('up/secret')).toEqual({ step: 'prepare', message: `subpath ${join(root, 'outside', 'secret')} not within volume path ${volume}` });
    expect(refusal('up/new/dir')).toEqual({ step: 'create', message: `path ${join(root, 'outside')} is outside of allowed base ${volume}` });
    expect(() => statSync(join(root, 'outside', 'new'))).toThrow();
  });

  it('refuses a dangling symlink, a path through a file, and what is absolute or climbs', () => {
    symlinkSync('nowhere', join(volume, 'dangling'));
    writeFileSync(join(volume, 'file'), 'f');
    expect(refusal('dangling').step).toBe('create');
    expect(refusal('file/below').step).toBe('create');
    expect(refusal('/etc')).toEqual({ step: 'invalid', message: 'subPath "/etc" must not be an absolute path' });
    expect(refusal('a/../../b')).toEqual({ step: 'invalid', message: "subPath \"a/../../b\" must not contain '..'" });
  });

  it('words a refusal for a container as kubelet does, naming the mount and the container but no host path', () => {
    symlinkSync('/', join(volume, 'root'));
    symlinkSync('/', join(volume, 'via'));
    const logged: Record<string, unknown>[] = [];
    const log = (_: string, fields: Record<string, unknown>) => logged.push(fields);
    expect(() => mountSubPath(volume, { name: 'shared', subPath: 'root' }, 'app', log)).toThrow(
      expect.objectContaining({ code: CrxErrorCodes.containerConfig, message: 'failed to prepare subPath for volumeMount "shared" of container "app"' }),
    );
    expect(() => mountSubPath(volume, { name: 'shared', subPath: 'via/new' }, 'app', log)).toThrow(
      expect.objectContaining({ code: CrxErrorCodes.containerConfig, message: 'failed to create subPath directory for volumeMount "shared" of container "app"' }),
    );
    expect(logged).toEqual([
      { container: 'app', volume: 'shared', subPath: 'root', error: `subpath / not within volume path ${volume}` },
      { container: 'app', volume: 'shared', subPath: 'via/new', error: `path / is outside of allowed base ${volume}` },
    ]);
    expect(() => mountSubPath(volume, { name: 'shared', subPath: '/abs' }, 'app', log)).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
  });
});
