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
  // One NATS server, or the members of a NATS cluster: nats://a:4222,nats://b:4222.
  ajv.addFormat('nats-urls', (value: string) =>
    value.split(',').every((u) => {
      try {
        return ['nats:', 'tls:'].includes(new URL(u.trim()).protocol);
      } catch {
        return false;
      }
    }),
  );
}
