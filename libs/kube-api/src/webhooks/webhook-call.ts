import { request as httpsRequest } from 'node:https';

/** Where a webhook is reached: its URL, the address to dial, the name its certificate must carry, the CAs to trust. */
export interface WebhookTarget {
  /** The URL as kube-apiserver prints it in errors (`https://svc.ns.svc:443/path`, or the configured url). */
  url: URL;
  /** The address dialled: the URL's host, or the Service's cluster IP. */
  host: string;
  port: number;
  /** The TLS server name checked against the certificate. */
  serverName: string;
  /** PEM CAs from clientConfig.caBundle; absent: the system's roots. */
  ca?: string;
  /** The port is shown in errors even when it is 443 (a service reference's URL, as kube-apiserver builds it). */
  showPort?: boolean;
}

/** Why a call failed, worded as Go's HTTP client words it in kube-apiserver's message. */
export class WebhookCallError extends Error {}

/**
 * POSTs an AdmissionReview to a webhook over HTTPS and returns the parsed answer, within `timeoutSeconds` (as
 * kube-apiserver, it adds `?timeout=<n>s` to the URL, so that the webhook knows its budget).
 */
export function postReview(target: WebhookTarget, review: unknown, timeoutSeconds: number): Promise<unknown> {
  const url = new URL(target.url);
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  const host = target.showPort && url.port === '' ? `${url.host}:443` : url.host;
  const shown = `Post ${JSON.stringify(`${url.protocol}//${host}${url.pathname}${url.search}`)}`;
  const body = Buffer.from(JSON.stringify(review));
  return new Promise((resolve, reject) => {
    const fail = (detail: string) => reject(new WebhookCallError(`${shown}: ${detail}`));
    const req = httpsRequest(
      {
        host: target.host,
        port: target.port,
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        servername: target.serverName,
        ...(target.ca ? { ca: target.ca } : {}),
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': body.length, host: url.host },
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(goError(err, target)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) return reject(new WebhookCallError(statusError(code, text)));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new WebhookCallError(`couldn't get version/kind; json parse error: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', (err) => fail(goError(err, target)));
    req.end(body);
  });
}

/** A Node error as the Go client reports the same failure. */
function goError(err: Error & { code?: string; name?: string }, target: WebhookTarget): string {
  const address = `${target.host}:${target.port}`;
  if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'ABORT_ERR') return 'context deadline exceeded';
  if (err.code === 'ECONNREFUSED') return `dial tcp ${address}: connect: connection refused`;
  if (err.code === 'EHOSTUNREACH') return `dial tcp ${address}: connect: no route to host`;
  if (err.code === 'ECONNRESET') return 'read: connection reset by peer';
  if (err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN' || err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  }
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: x509: certificate is not valid for ${target.serverName}`;
  return err.message;
}

/** A non-2xx answer, as client-go reports one it could not read as a Status. */
function statusError(code: number, body: string): string {
  if (code === 404) return 'the server could not find the requested resource';
  const shown = body.trim() === '' ? '' : ` (${JSON.stringify(body.trim().slice(0, 200))})`;
  return `an error on the server${shown} has prevented the request from succeeding`;
}

/** A webhook's `clientConfig` (admission and conversion webhooks share its shape). */
export interface WebhookClientConfig {
  url?: string;
  service?: { namespace?: string; name?: string; path?: string; port?: number };
  caBundle?: string;
}

/**
 * Where a webhook is: its url, or its Service's cluster IP and port with the certificate name `<svc>.<ns>.svc`
 * (`service` finds the Service object). A Service that is missing or has no cluster IP is a WebhookCallError whose
 * message is the detail kube-apiserver gives after `failed to call webhook: `.
 */
export function webhookTarget(cc: WebhookClientConfig, service: (namespace: string, name: string) => any): WebhookTarget {
  const ca = cc.caBundle ? Buffer.from(String(cc.caBundle), 'base64').toString('utf8') : undefined;
  if (cc.url) {
    const url = new URL(cc.url);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { url, host, port: Number(url.port || 443), serverName: host, ca };
  }
  const { namespace = '', name = '', path } = cc.service ?? {};
  const port = Number(cc.service?.port ?? 443);
  const serverName = `${name}.${namespace}.svc`;
  const url = new URL(`https://${serverName}:${port}${path ?? ''}`);
  const found = service(namespace, name);
  if (!found) throw new WebhookCallError(`service "${name}" not found`);
  const clusterIP = found.spec?.clusterIP;
  if (!clusterIP || clusterIP === 'None') throw new WebhookCallError(`service "${namespace}/${name}" has no cluster IP`);
  return { url, host: clusterIP, port, serverName, ca, showPort: true };
}
