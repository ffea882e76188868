import { connect, constants, type ClientHttp2Session } from 'node:http2';
import type { ProbeResult } from './probes';

/** grpc.health.v1 HealthCheckResponse.ServingStatus, by number. */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** gRPC status codes by number, as grpc-go names them in its errors (`rpc error: code = NotFound desc = …`). */
const CODES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** A HealthCheckRequest (`string service = 1`) in one gRPC message frame: no compression, its length, the protobuf. */
export function healthCheckFrame(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  const body = name.length ? Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]) : Buffer.alloc(0);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** The `status` of a HealthCheckResponse message frame (0, UNKNOWN, when the field is absent). */
export function servingStatusOf(frame: Buffer): number {
  if (frame.length < 5) return 0;
  const body = frame.subarray(5, 5 + frame.readUInt32BE(1));
  for (let i = 0; i < body.length; ) {
    const tag = body[i++];
    if (tag === 0x08) {
      let value = 0;
      for (let shift = 0; i < body.length; shift += 7) {
        const b = body[i++];
        value |= (b & 0x7f) << shift;
        if (!(b & 0x80)) break;
      }
      return value;
    }
    return 0;
  }
  return 0;
}

/** A Go duration of whole seconds as Go prints it (`1s`, `1m0s`). */
function goSeconds(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${seconds}s`;
}

/**
 * A `grpc` probe as kubelet's prober runs it: the grpc.health.v1 Health/Check of `service` at the pod's address
 * and `port` over HTTP/2 without TLS, within timeoutSeconds; healthy when the answer is SERVING. Its failures are
 * worded as kubelet's (`service unhealthy (responded with "NOT_SERVING")`, `timeout: failed to connect service
 * "10.64.0.5:9000" within 1s`, the grpc-go error of a failed call).
 */
export function grpcProbe(host: string, port: number, service: string, timeoutSeconds: number, agent: string): Promise<ProbeResult> {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    };
    const notConnected = `timeout: failed to connect service "${addr}" within ${goSeconds(timeoutSeconds)}`;
    const timer = setTimeout(() => {
      done({ ok: false, message: connected ? `timeout: health rpc did not complete within ${goSeconds(timeoutSeconds)}` : notConnected });
    }, timeoutSeconds * 1000);
    // `done` runs only once the session exists (on its events, its call's, or the timer).
    const session: ClientHttp2Session = connect(`http://${addr}`);
    session.on('connect', () => (connected = true));
    // A refused or unreachable address never connects within the time (grpc-go's blocking dial keeps trying): said as kubelet says it, at once.
    session.on('error', () => done({ ok: false, message: notConnected }));
    const call = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_USER_AGENT]: `${agent}/1.32`,
      te: 'trailers',
      'grpc-timeout': `${timeoutSeconds * 1000}m`,
    });
    const chunks: Buffer[] = [];
    let status: number | undefined;
    let statusMessage = '';
    const readStatus = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) {
        status = Number(headers['grpc-status']);
        statusMessage = decodeURIComponent(String(headers['grpc-message'] ?? ''));
      }
    };
    call.on('response', (headers) => readStatus(headers));
    call.on('trailers', (headers) => readStatus(headers));
    call.on('data', (chunk: Buffer) => chunks.push(chunk));
    call.on('error', (err) => done({ ok: false, message: connected ? `error: health rpc probe failed: rpc error: code = Unavailable desc = ${err.message}` : notConnected }));
    call.on('end', () => {
      if (status === undefined) return done({ ok: false, message: 'error: health rpc probe failed: rpc error: code = Internal desc = server closed the stream without sending trailers' });
      if (status === 12) return done({ ok: false, message: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${statusMessage}` });
      if (status === 4) return done({ ok: false, message: `timeout: health rpc did not complete within ${goSeconds(timeoutSeconds)}` });
      if (status !== 0) return done({ ok: false, message: `error: health rpc probe failed: rpc error: code = ${CODES[status] ?? `Code(${status})`} desc = ${statusMessage}` });
      const serving = servingStatusOf(Buffer.concat(chunks));
      done(serving === 1 ? { ok: true, message: '' } : { ok: false, message: `service unhealthy (responded with "${SERVING_STATUS[serving] ?? String(serving)}")` });
    });
    call.end(healthCheckFrame(service));
  });
}
