// Gateway API kinds have no model in client-node, so their known fields (gateway.networking.k8s.io/v1,
// standard channel) are written here in the same shape as client-node's attribute maps.

interface Attr {
  baseName: string;
  type: string;
}
export interface ModelInfo {
  attrs: Attr[];
  required: string[];
}

const m = (fields: Record<string, string>, required: string[] = []): ModelInfo => ({
  attrs: Object.entries(fields).map(([baseName, type]) => ({ baseName, type })),
  required,
});

const top = (spec: string): ModelInfo => m({ metadata: 'V1ObjectMeta', spec, status: 'any' }, ['spec']);

export const GATEWAY_MODELS: Record<string, ModelInfo> = {
  HTTPRoute: top('GatewayHTTPRouteSpec'),
  Gateway: top('GatewaySpec'),
  GatewayClass: top('GatewayClassSpec'),
  GatewayHTTPRouteSpec: m({
    parentRefs: 'Array<GatewayParentRef>',
    hostnames: 'Array<string>',
    rules: 'Array<GatewayHTTPRouteRule>',
  }),
  GatewayParentRef: m(
    { group: 'string', kind: 'string', namespace: 'string', name: 'string', sectionName: 'string', port: 'number' },
    ['name'],
  ),
  GatewayHTTPRouteRule: m({
    name: 'string',
    matches: 'Array<GatewayHTTPRouteMatch>',
    filters: 'Array<any>',
    backendRefs: 'Array<GatewayHTTPBackendRef>',
    timeouts: 'GatewayHTTPRouteTimeouts',
    retry: 'any',
    sessionPersistence: 'any',
  }),
  GatewayHTTPRouteMatch: m({
    path: 'GatewayHTTPPathMatch',
    headers: 'Array<GatewayHTTPHeaderMatch>',
    queryParams: 'Array<GatewayHTTPHeaderMatch>',
    method: 'string',
  }),
  GatewayHTTPPathMatch: m({ type: 'string', value: 'string' }),
  GatewayHTTPHeaderMatch: m({ type: 'string', name: 'string', value: 'string' }, ['name', 'value']),
  GatewayHTTPBackendRef: m(
    {
      group: 'string',
      kind: 'string',
      name: 'string',
      namespace: 'string',
      port: 'number',
      weight: 'number',
      filters: 'Array<any>',
    },
    ['name'],
  ),
  GatewayHTTPRouteTimeouts: m({ request: 'string', backendRequest: 'string' }),
  GatewaySpec: m(
    {
      gatewayClassName: 'string',
      listeners: 'Array<GatewayListener>',
      addresses: 'Array<any>',
      infrastructure: 'any',
      backendTLS: 'any',
      allowedListeners: 'any',
    },
    ['gatewayClassName', 'listeners'],
  ),
  GatewayListener: m(
    { name: 'string', hostname: 'string', port: 'number', protocol: 'string', tls: 'any', allowedRoutes: 'any' },
    ['name', 'port', 'protocol'],
  ),
  GatewayClassSpec: m({ controllerName: 'string', parametersRef: 'any', description: 'string' }, ['controllerName']),
};
