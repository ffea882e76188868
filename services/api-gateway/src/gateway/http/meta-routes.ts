import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  aggregatedDiscovery, AGGREGATED_DISCOVERY_CONTENT_TYPE, apiGroupList, apiResourceList, apiVersions, notFound, openApiV3Document, openApiV3Root,
  OPENAPI_V2_CONTENT_TYPE, wantsAggregatedDiscovery, definitionsHash,
} from '@openpacific/kube-api';
import { ResourceRegistry } from '../registry/registry';
import { sendJson } from './respond';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-openpacific',
  gitCommit: 'openpacific',
  gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z',
  goVersion: 'node' + process.versions.node,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

/**
 * Discovery, OpenAPI and /version: what kubectl reads to learn the API.
 * Returns false when the path is not one of these.
 */
export function handleMetaRoute(registry: ResourceRegistry, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  const defs = registry.definitions;
  const accept = req.headers.accept;
  if (path === '/version') return sendJson(res, 200, VERSION_INFO), true;
  if (path === '/api' || path === '/apis') {
    const scope = path === '/api' ? 'core' : 'apis';
    if (wantsAggregatedDiscovery(accept)) sendJson(res, 200, aggregatedDiscovery(defs, scope), AGGREGATED_DISCOVERY_CONTENT_TYPE);
    else sendJson(res, 200, scope === 'core' ? apiVersions() : apiGroupList(defs));
    return true;
  }
  if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
    const group = parts[0] === 'api' ? '' : parts[1];
    const version = parts[parts.length - 1];
    if (!registry.hasGroupVersion(group, version)) throw notFound('', path);
    sendJson(res, 200, apiResourceList(defs, group ? `${group}/${version}` : version));
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = apiGroupList(defs).groups.find((g: any) => g.name === parts[1]);
    if (!group) throw notFound('', path);
    sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...group });
    return true;
  }
  if (path === '/openapi/v2') {
    // An empty protobuf document: kubectl finds no schema there and leaves validation to the server (fieldValidation=Strict).
    res.writeHead(200, { 'Content-Type': OPENAPI_V2_CONTENT_TYPE, 'Content-Length': 0 });
    res.end();
    return true;
  }
  if (path === '/openapi/v3') return sendJson(res, 200, openApiV3Root(defs, definitionsHash(defs))), true;
  if (parts[0] === 'openapi' && parts[1] === 'v3' && parts.length >= 4) {
    const gv = parts[2] === 'api' ? parts.slice(3).join('/') : parts.slice(3).join('/');
    const [group, version] = parts[2] === 'api' ? ['', parts[3]] : [parts[3], parts[4]];
    if (!version || !registry.hasGroupVersion(group, version)) throw notFound('', path);
    sendJson(res, 200, openApiV3Document(defs, gv));
    return true;
  }
  return false;
}
