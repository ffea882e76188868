/**
 * The address clients reach the Supervisor's API at, for a console request's `status.proxyAddr`: VM Operator reads it
 * off the API server's load balancer Service (`kube-system/kube-apiserver-lb-svc`). Here the gateway replicas are
 * listed in the `default/kubernetes` Endpoints (each replica's GATEWAY_PUBLIC_URL host, when an IPv4 address, and the
 * port it serves on): the first address of its `https` port, `host:port`. Undefined while there is none.
 */
export const API_ENDPOINTS = { namespace: 'default', name: 'kubernetes' } as const;

export function proxyAddress(endpoints: any): string | undefined {
  for (const subset of endpoints?.subsets ?? []) {
    const ip = subset.addresses?.[0]?.ip;
    const port = (subset.ports ?? []).find((p: any) => p.name === 'https')?.port ?? subset.ports?.[0]?.port;
    if (ip && port) return `${ip}:${port}`;
  }
  return undefined;
}
