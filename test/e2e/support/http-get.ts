import * as http from 'node:http';

/** One GET of `/` on a new connection (no keep-alive, so each reaches the balancer anew): the body, or the error code. */
export function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body.trim()));
      res.on('error', (e: any) => resolve(e.code ?? e.message));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: any) => resolve(e.code ?? e.message));
  });
}
