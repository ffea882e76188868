import type Ajv from 'ajv';

// RFC 1123 subdomain, as Kubernetes names hosts and nodes.
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The few string formats config schemas use; defined here rather than pulling in all of ajv-formats. */
export function addConfigFormats(ajv: Ajv): void {
  ajv.addFormat('uri', (value: string) => {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return false;
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat('dns1123-subdomain', (value: string) => DNS1123_SUBDOMAIN.test(value));
}
