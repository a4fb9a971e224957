// The two HAProxy controllers: HAProxy Technologies' Kubernetes Ingress Controller and HAProxy Ingress.
// Neither logs access by default nor emits spans; `option httplog` lines have no request id and no headers unless
// the controller captures one (HAProxy Tech's request-capture; the sandbox does, src/sandbox/manifests/15-haproxy.yaml).
import { K, label, selectDataPlane } from './pods';
import type { ControllerModule } from './types';

// HAProxy's log spans open the function of their phase in HAProxy's source (src/core/sourcemap/haproxy/).
const HAPROXY_SOURCE = { tree: 'haproxy' as const };
const NO_TRACING = 'HAProxy emits no spans; Kubetrace reads its access log';

export const haproxyTech: ControllerModule = {
  id: 'haproxy-tech',
  title: 'HAProxy Kubernetes Ingress Controller',
  family: 'haproxy',
  ingressControllers: ['haproxy.org/ingress-controller'],
  gatewayControllers: [],
  dataPlane: (s) => selectDataPlane(s, (l) => label(l, `${K}name`) === 'kubernetes-ingress'),
  accessLog: {
    container: 'kubernetes-ingress-controller',
    format: 'haproxy-httplog',
    onByDefault: false,
    logs: { requestId: false, userAgent: false, query: false },
    setting:
      'send traffic logs to stdout: ConfigMap syslog-server "address:stdout, format: raw, facility:daemon"; ' +
      'and log the request id: ConfigMap request-capture "hdr(X-Request-ID)"',
  },
  queryMark: false,
  isOwnSpan: () => false,
  tracing: NO_TRACING,
  version: { image: /(^|\/)haproxytech\/kubernetes-ingress(:|@|$)/, exec: ['haproxy', '-v'] },
  source: HAPROXY_SOURCE,
};

export const haproxyIngress: ControllerModule = {
  id: 'haproxy-ingress',
  title: 'HAProxy Ingress',
  family: 'haproxy',
  ingressControllers: ['haproxy-ingress.github.io/controller'],
  gatewayControllers: ['haproxy-ingress.github.io/controller'],
  dataPlane: (s) => selectDataPlane(s, (l) => label(l, `${K}name`) === 'haproxy-ingress'),
  accessLog: {
    container: 'haproxy-ingress',
    format: 'haproxy-httplog',
    onByDefault: false,
    logs: { requestId: false, userAgent: false, query: true },
    setting: 'set syslog-endpoint: stdout and syslog-format: raw in the controller ConfigMap',
  },
  queryMark: false,
  isOwnSpan: () => false,
  tracing: NO_TRACING,
  version: { image: /(^|\/)haproxy-ingress(:|@|$)/, exec: ['haproxy', '-v'] },
  source: HAPROXY_SOURCE,
};
