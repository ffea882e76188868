import { mountSubPaths } from './volume-mounts';

const env = [
  { name: 'POD_NAME', value: 'web-0' },
  { name: 'EMPTY', value: '' },
  { name: 'ROOT', value: '/etc' },
  { name: 'UP', value: '..' },
  { name: 'POD_NAME', value: 'web-1' },
];
const subPathsOf = (...volumeMounts: Record<string, unknown>[]) => mountSubPaths({ name: 'c', volumeMounts: volumeMounts.map((m) => ({ name: 'v', mountPath: '/m', ...m })) }, env);

describe('mountSubPaths', () => {
  it('gives each mount its subPath, none for a mount of the whole volume', () => {
    expect(subPathsOf({}, { subPath: 'a/b' }, { subPath: '' }, { subPath: 'app.conf' })).toEqual({ ok: true, value: [undefined, 'a/b', undefined, 'app.conf'] });
    expect(mountSubPaths({ name: 'c' }, env)).toEqual({ ok: true, value: [] });
  });

  it('expands a subPathExpr from the container\'s env, the last variable of a name winning, $$ escaping', () => {
    expect(subPathsOf({ subPathExpr: 'logs/$(POD_NAME)' }, { subPathExpr: '$$(POD_NAME)-$(POD_NAME)' })).toEqual({ ok: true, value: ['logs/web-1', '$(POD_NAME)-web-1'] });
  });

  it('refuses a subPathExpr naming a variable the container lacks or has empty, naming each in order, as kubelet does', () => {
    expect(subPathsOf({ subPathExpr: '$(NOPE)/$(EMPTY)/$(POD_NAME)/$(ALSO_NOT)' })).toEqual({ ok: false, message: 'missing value for ALSO_NOT, EMPTY, NOPE' });
  });

  it('refuses what an expansion made absolute or climbing out, in kubelet\'s words', () => {
    expect(subPathsOf({ subPath: 'ok' }, { subPathExpr: '$(ROOT)' })).toEqual({ ok: false, message: 'error SubPath `/etc` must not be an absolute path' });
    expect(subPathsOf({ subPathExpr: 'a/$(UP)/b' })).toEqual({ ok: false, message: "unable to provision SubPath `a/../b`: must not contain '..'" });
    // A name merely starting with dots is no '..' element.
    expect(subPathsOf({ subPathExpr: '$(UP)data' })).toEqual({ ok: true, value: ['..data'] });
  });
});
