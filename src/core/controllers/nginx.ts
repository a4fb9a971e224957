// The nginx family: ingress-nginx, F5 NGINX Ingress Controller and NGINX Gateway Fabric. All three run nginx,
// so their spans map to the nginx source tree and their logs are read by the nginx access-log parser.
import { GATEWAY_NAME, K, label, scopeOf, selectDataPlane } from './pods';
import type { ControllerModule, SpanShape } from './types';

const NGINX_EXEC = ['nginx', '-v'];
const nginxScope = (s: SpanShape) => scopeOf(s) === 'nginx';

export const ingressNginx: ControllerModule = {
  id: 'ingress-nginx',
  title: 'ingress-nginx',
  family: 'nginx',
  ingressControllers: ['k8s.io/ingress-nginx'],
  gatewayControllers: [],
  dataPlane: (s) =>
    selectDataPlane(
      s,
      (l) => label(l, `${K}name`) === 'ingress-nginx' && (label(l, `${K}component`) ?? 'controller') === 'controller',
    ),
  accessLog: {
    container: 'controller',
    format: 'ingress-nginx',
    onByDefault: true,
    logs: { requestId: true, userAgent: true, query: true },
    setting:
      'add " $upstream_connect_time $upstream_header_time $msec" to log-format-upstream in the controller ConfigMap',
  },
  queryMark: false,
  // ingress-nginx's OTel module reports service "nginx" and tracer "nginx".
  isOwnSpan: (s) => nginxScope(s) || s.service === 'nginx',
  debugLog: 'set error-log-level: debug in the controller ConfigMap (its nginx is built --with-debug)',
  tracing: 'set enable-opentelemetry: "true" and otlp-collector-host in the controller ConfigMap',
  propagation: 'set opentelemetry-trust-incoming-span: "true" (the default) in the ConfigMap or the Ingress annotation',
  version: { image: /(^|\/)ingress-nginx\/controller(:|@|$)/, exec: NGINX_EXEC },
  source: { tree: 'nginx' },
};

export const nginxIngress: ControllerModule = {
  id: 'nginx-ingress',
  title: 'F5 NGINX Ingress Controller',
  family: 'nginx',
  ingressControllers: ['nginx.org/ingress-controller'],
  gatewayControllers: [],
  dataPlane: (s) => selectDataPlane(s, (l) => label(l, `${K}name`) === 'nginx-ingress'),
  accessLog: {
    container: 'nginx-ingress',
    format: 'nic-main',
    onByDefault: true,
    logs: { requestId: false, userAgent: true, query: true },
    setting: 'add "$request_id $request_time $upstream_addr $upstream_response_time" to log-format in the ConfigMap',
  },
  queryMark: false,
  isOwnSpan: (s) => s.service === 'unknown_service:nginx' || (nginxScope(s) && s.service.includes('nginx')),
  debugLog:
    'start the controller with -nginx-debug (the nginx-debug binary) and set error-log-level: debug in the ConfigMap',
  tracing: 'set otel-exporter-endpoint and otel-trace-in-http: "true" in the ConfigMap',
  // ngx_otel_module ignores an incoming traceparent unless told otherwise.
  propagation: 'add "otel_trace_context propagate;" to the location (a location-snippets annotation)',
  version: { image: /(^|\/)nginx-ingress(:|@|$)/, exec: NGINX_EXEC },
  source: { tree: 'nginx' },
};

/** NGINX Gateway Fabric names its spans' service `ngf:<namespace>:<gateway>[:<serviceName>]`. */
const NGF_SERVICE = /^ngf:[^:]+:[^:]+(:.*)?$/;

export const nginxGatewayFabric: ControllerModule = {
  id: 'nginx-gateway-fabric',
  title: 'NGINX Gateway Fabric',
  family: 'nginx',
  ingressControllers: [],
  gatewayControllers: ['gateway.nginx.org/nginx-gateway-controller'],
  // One data plane per Gateway, in the Gateway's namespace, labelled with the Gateway's name.
  dataPlane: (s, o) =>
    o.kind === 'Gateway'
      ? selectDataPlane(s, (l, ns) => ns === o.namespace && label(l, GATEWAY_NAME) === o.name)
      : { pods: [] },
  accessLog: {
    container: 'nginx',
    format: 'nginx-combined',
    onByDefault: true,
    logs: { requestId: false, userAgent: true, query: true },
    setting: 'set NginxProxy spec.logging.accessLog.format to add $request_id and $upstream_response_time',
  },
  debugLog:
    'install with the Helm value nginx.debug=true (nginx-debug) and set NginxProxy spec.logging.errorLevel: debug',
  queryMark: false,
  isOwnSpan: (s) => NGF_SERVICE.test(s.service),
  tracing: 'set NginxProxy spec.telemetry.exporter.endpoint and attach an ObservabilityPolicy (context: propagate)',
  propagation: 'set the ObservabilityPolicy tracing.context to propagate (or extract) for the route',
  version: { image: /(^|\/)nginx-gateway-fabric\/nginx(:|@|$)/, exec: NGINX_EXEC },
  source: { tree: 'nginx' },
};
