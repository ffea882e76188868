import { KubeApiError } from '@openpacific/kube-api';

/** The Status a handler's function refuses with (a KubeApiError); anything else it throws, or no refusal, fails the spec. */
export function statusOf(fn: () => unknown): { code: number; reason?: string; message?: string; details?: any } {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubeApiError) return err.status;
    throw err;
  }
  throw new Error('expected a KubeApiError');
}
