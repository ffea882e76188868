import { connect } from 'node:net';

/** Connects, reads the first line (a sim guest's greeting) and closes; rejects when nothing listens within 2 s. */
export function greeting(ip: string, port: number): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect({ host: ip, port });
    const timer = setTimeout(() => {
      s.destroy();
      rej(new Error('timeout'));
    }, 2000);
    s.once('data', (d) => {
      clearTimeout(timer);
      res(d.toString().split('\n')[0]);
      s.destroy();
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
  });
}
