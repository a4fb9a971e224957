// The Envoy family: Envoy Gateway and Istio share Envoy's spans and log formats. No source tree for Envoy yet.
import { GATEWAY_NAME, label, selectDataPlane } from './pods';
import type { ControllerModule, SpanShape } from './types';

const NO_SOURCE = { tree: 'none' as const, reason: 'Kubetrace has no source mapping for Envoy yet' };

/** Envoy's tracer tags every span with `component: proxy` and the upstream cluster it chose. */
const envoyTags = (s: SpanShape) =>
  s.attributes['component'] === 'proxy' || typeof s.attributes['upstream_cluster'] === 'string';

export const envoyGateway: ControllerModule = {
  id: 'envoy-gateway',
  title: 'Envoy Gateway',
  family: 'envoy',
  ingressControllers: [],
  gatewayControllers: ['gateway.envoyproxy.io/gatewayclass-controller'],
  // The proxies live in the controller's namespace, labelled with the Gateway they serve.
  dataPlane: (s, o) =>
    o.kind === 'Gateway'
      ? selectDataPlane(
          s,
          (l) =>
            label(l, 'gateway.envoyproxy.io/owning-gateway-name') === o.name &&
            label(l, 'gateway.envoyproxy.io/owning-gateway-namespace') === o.namespace,
        )
      : { pods: [] },
  accessLog: {
    container: 'envoy',
    format: 'envoy-gateway-json',
    onByDefault: true,
    logs: { requestId: true, userAgent: true, query: true },
    setting: "set ClientTrafficPolicy headers.requestID: PreserveOrGenerate so the log keeps the probe's X-Request-ID",
  },
  queryMark: false,
  isOwnSpan: (s) => envoyTags(s) && (s.name === 'ingress' || s.kind === 'server' || s.kind === 'client'),
  tracing: 'set EnvoyProxy spec.telemetry.tracing (provider OpenTelemetry, samplingRate 100)',
  version: { image: /(^|\/)envoyproxy\/envoy(:|@|$)/, exec: ['envoy', '--version'] },
  source: NO_SOURCE,
};

export const istio: ControllerModule = {
  id: 'istio',
  title: 'Istio',
  family: 'envoy',
  ingressControllers: ['istio.io/ingress-controller'],
  gatewayControllers: ['istio.io/gateway-controller'],
  dataPlane: (s, o) =>
    o.kind === 'Gateway'
      ? selectDataPlane(s, (l, ns) => ns === o.namespace && label(l, GATEWAY_NAME) === o.name)
      : selectDataPlane(s, (l) => label(l, 'istio') === 'ingressgateway'),
  accessLog: {
    container: 'istio-proxy',
    format: 'envoy-text',
    onByDefault: false,
    logs: { requestId: true, userAgent: true, query: true },
    setting:
      'turn access logs on with a Telemetry resource (accessLogging, provider envoy) or meshConfig.accessLogFile',
  },
  queryMark: false,
  isOwnSpan: (s) => envoyTags(s) && typeof s.attributes['istio.canonical_service'] === 'string',
  tracing: 'add an opentelemetry extensionProvider to meshConfig and a Telemetry resource with tracing (100%)',
  version: { image: /(^|\/)proxyv2(:|@|$)/, exec: ['/usr/local/bin/envoy', '--version'] },
  source: NO_SOURCE,
};
