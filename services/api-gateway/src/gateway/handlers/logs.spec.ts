import { podLogOptionsOf } from './logs';
import { statusOf } from './thrown-status.spec-support';

const options = (query: string) => podLogOptionsOf(new URLSearchParams(query), 'web');
const refusal = (query: string) => statusOf(() => options(query));

describe('a pod log request\'s options (PodLogOptions from the query)', () => {
  it('reads what kubectl logs sends', () => {
    expect(options('container=c&follow=true&tailLines=10&timestamps=true&limitBytes=500&sinceSeconds=60')).toEqual({
      follow: true, previous: false, timestamps: true, tailLines: 10, limitBytes: 500, sinceSeconds: 60, sinceTime: undefined,
    });
    expect(options('sinceTime=2026-01-02T03:04:05.5%2B01:00')).toMatchObject({ sinceTime: '2026-01-02T03:04:05.5+01:00' });
    // The parameter codec's booleans: false only as 0 or false, in any case.
    expect(options('previous=1&follow=FALSE&timestamps=0')).toMatchObject({ previous: true, follow: false, timestamps: false });
  });

  it('refuses a number or time the parameter codec cannot decode with a 400 (sinceSeconds=abc answered 500)', () => {
    expect(refusal('sinceSeconds=abc')).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    expect(refusal('tailLines=1e3')).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "1e3": invalid syntax' });
    expect(refusal('limitBytes=99999999999999999999')).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' });
    expect(refusal('sinceTime=yesterday')).toMatchObject({ code: 400, message: expect.stringContaining('sinceTime must be an RFC 3339 time') });
  });

  it('refuses what ValidatePodLogOptions refuses with a 422 naming the field', () => {
    expect(refusal('tailLines=-1')).toMatchObject({ code: 422, message: 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' });
    expect(refusal('limitBytes=0')).toMatchObject({ code: 422, message: 'PodLogOptions "web" is invalid: limitBytes: Invalid value: 0: must be greater than 0' });
    expect(refusal('sinceSeconds=0')).toMatchObject({ code: 422, message: 'PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0' });
    expect(refusal('sinceSeconds=5&sinceTime=2026-01-02T03:04:05Z')).toMatchObject({ code: 422, message: 'PodLogOptions "web" is invalid: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  });
});
