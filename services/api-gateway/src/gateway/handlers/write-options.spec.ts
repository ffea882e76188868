import { ResourceRequest } from '../core';
import { forceOf, validateWriteOptions } from './write-options';
import { statusOf } from './thrown-status.spec-support';

/** A write as the gateway's dispatch sees it: its query and its Content-Type. */
const request = (query: string, contentType = 'application/json') =>
  ({ query: new URLSearchParams(query), req: { headers: { 'content-type': contentType } } }) as unknown as ResourceRequest;

const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';

describe('the options of a create, an update and a patch (ValidateCreateOptions, …UpdateOptions, …PatchOptions)', () => {
  it('lets good options through, and a verb that writes no options', () => {
    expect(() => validateWriteOptions(request('dryRun=All&fieldManager=kubectl-client-side-apply&fieldValidation=Strict'), 'POST')).not.toThrow();
    expect(() => validateWriteOptions(request('fieldValidation=&fieldManager=é ünïcode'), 'PUT')).not.toThrow();
    expect(() => validateWriteOptions(request('fieldManager=kubectl&force=true', APPLY), 'PATCH')).not.toThrow();
    expect(() => validateWriteOptions(request('dryRun=Some'), 'GET')).not.toThrow();
  });

  it('refuses a dryRun other than All with a 422 naming the options kind of the verb', () => {
    for (const [method, kind] of [['POST', 'CreateOptions'], ['PUT', 'UpdateOptions'], ['PATCH', 'PatchOptions']]) {
      expect(statusOf(() => validateWriteOptions(request('dryRun=All&dryRun=Server', MERGE), method))).toEqual({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
        message: `${kind}.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", "Server"}: supported values: "All"`,
        details: { name: '', group: 'meta.k8s.io', kind, causes: [{ field: 'dryRun', reason: 'FieldValueNotSupported', message: 'Unsupported value: []string{"All", "Server"}: supported values: "All"' }] },
      });
    }
  });

  it('refuses an unknown fieldValidation as a 422, the empty value (the default) among those listed', () => {
    expect(statusOf(() => validateWriteOptions(request('fieldValidation=strict'), 'POST')).message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
    );
  });

  it('refuses a manager\'s name over 128 bytes or with a character that does not print, by code point and byte offset', () => {
    expect(statusOf(() => validateWriteOptions(request(`fieldManager=${'é'.repeat(65)}`), 'PUT')).message).toBe(
      'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    );
    expect(statusOf(() => validateWriteOptions(request('fieldManager=é%01x%C2%A0'), 'POST')).message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: [fieldManager: Invalid value: "é\\x01x\\u00a0": invalid character U+0001 (at position 2), '
        + 'fieldManager: Invalid value: "é\\x01x\\u00a0": invalid character U+00A0 (at position 4)]',
    );
  });

  it('keeps force to apply patches, and an apply patch names its manager', () => {
    expect(statusOf(() => validateWriteOptions(request('force=false', MERGE), 'PATCH')).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
    expect(statusOf(() => validateWriteOptions(request('', APPLY), 'PATCH')).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it('gathers every violation into one Status, in kube-apiserver\'s order', () => {
    const status = statusOf(() => validateWriteOptions(request('force=true&dryRun=x&fieldValidation=no', MERGE), 'PATCH'));
    expect(status.details.causes.map((c: { field: string }) => c.field)).toEqual(['force', 'dryRun', 'fieldValidation']);
    expect(status.message).toMatch(/^PatchOptions\.meta\.k8s\.io "" is invalid: \[force: Forbidden: .*, dryRun: .*, fieldValidation: .*\]$/);
  });

  it('decodes force as the parameter codec decodes a bool: only false (any case) and 0 are false, absent is false', () => {
    const force = (query: string) => forceOf(new URLSearchParams(query));
    expect(['force=true', 'force=x', 'force=1', 'force=', 'force', 'force=TRUE'].map(force)).toEqual([true, true, true, true, true, true]);
    expect(['', 'force=false', 'force=FALSE', 'force=0', 'force=false&force=true'].map(force)).toEqual([false, false, false, false, false]);
  });
});
