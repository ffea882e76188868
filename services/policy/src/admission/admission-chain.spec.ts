import type { AdmissionRequest } from '@openpacific/contracts';
import { AdmissionChain } from './admission-chain';
import type { Admitter } from './admitter';

const request: AdmissionRequest = {
  uid: 'req-1',
  operation: 'CREATE',
  user: { username: 'dev', groups: ['system:authenticated'] },
  resource: { group: '', version: 'v1', resource: 'pods' },
  kind: 'Pod',
  namespace: 'team-a',
  name: 'web',
  object: { metadata: { name: 'web' } },
  dryRun: false,
};

const refuse = (reason: string): Admitter => ({
  name: `refuse-${reason}`,
  admit: () => ({ allowed: false, status: { code: 403, reason, message: `refused by ${reason}` } }),
});
const label = (key: string): Admitter => ({
  name: `label-${key}`,
  admit: (r) => {
    const obj = r.object as { metadata: { labels?: Record<string, string> } };
    return { allowed: true, patchedObject: { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [key]: 'y' } } } };
  },
});

const warnOf = (text: string): Admitter => ({ name: `warn-${text}`, admit: () => ({ allowed: true, warnings: [text] }) });
const annotate = (key: string, value: string, allowed = true): Admitter => ({
  name: `annotate-${key}`,
  admit: () => (allowed ? { allowed, auditAnnotations: { [key]: value } } : { allowed, status: { code: 422, reason: 'Invalid', message: 'no' }, auditAnnotations: { [key]: value } }),
});

describe('AdmissionChain', () => {
  it('gathers the admitters\' warnings, and sends those before a refusal with it', async () => {
    expect(await new AdmissionChain([warnOf('one'), label('a'), warnOf('two')]).review(request)).toMatchObject({ allowed: true, warnings: ['one', 'two'] });
    expect(await new AdmissionChain([warnOf('one'), refuse('Quota'), warnOf('two')]).review(request)).toMatchObject({ allowed: false, warnings: ['one'] });
    expect(await new AdmissionChain([label('a')]).review(request)).not.toHaveProperty('warnings');
  });

  it('gathers the admitters\' audit annotations, a refusal\'s own among them, and sends none when there are none', async () => {
    expect(await new AdmissionChain([annotate('a/x', '1'), label('a'), annotate('b/y', '2')]).review(request)).toEqual({
      uid: 'req-1', allowed: true, patchedObject: { metadata: { name: 'web', labels: { a: 'y' } } }, auditAnnotations: { 'a/x': '1', 'b/y': '2' },
    });
    expect(await new AdmissionChain([annotate('a/x', '1'), annotate('b/y', '2', false), annotate('c/z', '3')]).review(request)).toEqual({
      uid: 'req-1', allowed: false, status: { code: 422, reason: 'Invalid', message: 'no' }, auditAnnotations: { 'a/x': '1', 'b/y': '2' },
    });
    expect(await new AdmissionChain([warnOf('one')]).review(request)).not.toHaveProperty('auditAnnotations');
  });

  it('admits everything when it has no admitters', async () => {
    expect(await new AdmissionChain([]).review(request)).toEqual({ uid: 'req-1', allowed: true });
  });

  it('stops at the first refusal and returns its status', async () => {
    const chain = new AdmissionChain([label('a'), refuse('Quota'), refuse('Later')]);
    expect(await chain.review(request)).toEqual({
      uid: 'req-1',
      allowed: false,
      status: { code: 403, reason: 'Quota', message: 'refused by Quota' },
    });
  });

  it('passes each mutation on to the next admitter and returns the final object', async () => {
    const chain = new AdmissionChain([label('a'), label('b')]);
    expect(await chain.review(request)).toEqual({
      uid: 'req-1',
      allowed: true,
      patchedObject: { metadata: { name: 'web', labels: { a: 'y', b: 'y' } } },
    });
  });

  it('refuses with an internal error when an admitter throws', async () => {
    const broken: Admitter = {
      name: 'broken',
      admit: () => {
        throw new Error('no data');
      },
    };
    const response = await new AdmissionChain([broken]).review(request);
    expect(response).toMatchObject({ uid: 'req-1', allowed: false, status: { code: 500, reason: 'InternalError' } });
    expect(response.status?.message).toContain('broken');
  });
});
