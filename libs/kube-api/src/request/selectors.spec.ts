import { matchesFieldSelector, matchesLabelSelector, parseFieldSelector, parseLabelSelector } from './selectors';
import { KubeApiError } from './status';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'a', replicas: '3' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['tier notin (back)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web, tier = front', true],
    ['example.com/team=a', true],
    ['replicas>2', true],
    ['replicas<2', false],
    ['app in (web,db),tier!=front', false],
    ['', true],
  ])('%s matches: %s', (selector, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app in (web', '=web', 'app=we b', 'app in web', 'a@b=c'])('refuses %s with a 400', (selector) => {
    let err: unknown;
    try {
      parseLabelSelector(selector);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toMatchObject({ code: 400, reason: 'BadRequest', message: expect.stringContaining('unable to parse requirement') });
  });
});

describe('field selectors', () => {
  it('match supported fields and refuse the others as kube-apiserver does', () => {
    const sel = parseFieldSelector('metadata.name=a,status.phase!=Failed', ['metadata.name', 'status.phase']);
    const get = (obj: Record<string, string>) => (f: string) => obj[f];
    expect(matchesFieldSelector(sel, get({ 'metadata.name': 'a', 'status.phase': 'Running' }))).toBe(true);
    expect(matchesFieldSelector(sel, get({ 'metadata.name': 'a', 'status.phase': 'Failed' }))).toBe(false);
    expect(() => parseFieldSelector('spec.x=1', ['metadata.name'])).toThrow('field label not supported: spec.x');
  });
});
