import { HOSTS_RESOURCE, KUBELET_PORT, KubeletReply, KubeletRequest, natsNames } from '@openpacific/contracts';
import { badRequest, internalError, methodNotAllowed, notFound, serviceUnavailable } from '@openpacific/kube-api';
import { requestJson } from '@openpacific/messaging';
import type { NatsConnection } from 'nats';
import type { GatewayCore, ResourceRequest } from '../core';
import { PROXIED_METHODS, splitSchemeNamePort } from './proxy';

/**
 * How long a host has to answer: one that does not (stopped, cut off, its agent hung) is reported unreachable
 * rather than left to hang the caller, as metrics-server gives a kubelet 10 s.
 */
export const KUBELET_ANSWER_TIMEOUT_MS = 10_000;

/**
 * The host a `nodes/<[scheme:]name[:port]>/proxy` request reaches, as kube-apiserver resolves it: a Node of that name
 * (else 404), reached at kubelet's port (none given, or 10250). Any other port is on the Node's address, 127.0.0.1,
 * the address kube-apiserver refuses to proxy to (400 `address not allowed`), as here.
 */
export function kubeletHost(core: Pick<GatewayCore, 'readModel'>, rawId: string): string {
  const id = splitSchemeNamePort(rawId);
  if (!id) throw badRequest(`invalid node request "${rawId}"`);
  if (!core.readModel.get(HOSTS_RESOURCE, undefined, id.name)) throw notFound('nodes', id.name);
  if (id.port && id.port !== String(KUBELET_PORT)) throw badRequest('address not allowed');
  return id.name;
}

/**
 * Asks the host's agent (its kubelet API, answered over NATS) and gives its answer. Nobody answering (the host is
 * down) or no answer in time is kube-apiserver's 503 for a kubelet it cannot reach, within `timeoutMs`.
 */
export async function askKubelet(nats: NatsConnection, prefix: string, host: string, request: KubeletRequest, timeoutMs = KUBELET_ANSWER_TIMEOUT_MS): Promise<KubeletReply> {
  const names = natsNames(prefix);
  let reply: KubeletReply & { error?: { message: string } };
  try {
    reply = await requestJson<KubeletRequest, typeof reply>(nats, names.kubelet(host), request, timeoutMs, { payloads: names.payloads });
  } catch (err) {
    throw serviceUnavailable(`error trying to reach service: host ${host} does not answer: ${(err as Error).message}`);
  }
  if (reply.error) throw internalError(`host ${host} failed to answer: ${reply.error.message}`);
  return reply;
}

/**
 * `nodes/<id>/proxy/<path>`: the request passed on to the host's kubelet API, and its answer (status, headers and
 * body) passed back. A GET or HEAD ending at `/proxy` is redirected (301) to `/proxy/`, as kube-apiserver does.
 */
export async function handleNodeProxy(core: GatewayCore, r: ResourceRequest, method: string): Promise<void> {
  const { target, res } = r;
  if (!PROXIED_METHODS.has(method)) throw methodNotAllowed(method);
  const host = kubeletHost(core, target.name!);
  const path = target.proxyPath ?? '';
  if (path === '' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(301, { Location: `${r.url.pathname}/${r.url.search}` });
    res.end();
    return;
  }
  const answer = await askKubelet(core.nats, core.natsPrefix, host, { method, path: path || '/', query: r.url.search.slice(1) });
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(Buffer.byteLength(answer.body)) });
  res.end(method === 'HEAD' ? undefined : answer.body);
}
