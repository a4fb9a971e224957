// The interface every controller module implements (one module per controller family; see index.ts).
import type { ClusterSnapshot } from '../kube/route-tree';
import type { Pod, Service } from '../kube/objects';

/** Access-log format ids, as the log parsers name them (src/core/ingest: `parserFor(id)`). */
export type FormatId =
  | 'ingress-nginx'
  | 'nic-main'
  | 'nginx-combined'
  | 'envoy-text'
  | 'envoy-gateway-json'
  | 'traefik-clf'
  | 'traefik-json'
  | 'haproxy-httplog';

/** What a data plane serves: an Ingress of some class, or one Gateway. */
export type Owner =
  | { kind: 'Ingress'; namespace: string; className?: string }
  | { kind: 'Gateway'; namespace: string; name: string; className: string };

export interface DataPlane {
  pods: Pod[]; // ready pods first
  service?: Service;
}

/** A span as the recognizer sees it: what a trace backend gives before Kubetrace assigns a layer. */
export interface SpanShape {
  service: string;
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
}

export interface AccessLog {
  /** The data-plane container whose stdout holds the access log. */
  container: string;
  format: FormatId;
  /** Whether the controller logs access at all with its defaults. */
  onByDefault: boolean;
  /** Which of the probe's marks the default format records (docs/ARCHITECTURE.md, "How a probe flows through the code"). */
  logs: { requestId: boolean; userAgent: boolean; query: boolean };
  /** What the user sets to turn the log on, or to add the fields Kubetrace reads best. */
  setting: string;
}

export interface ControllerModule {
  /** Stable id, e.g. "ingress-nginx", "nginx-gateway-fabric". */
  id: string;
  title: string;
  family: 'nginx' | 'envoy' | 'traefik' | 'haproxy';
  /** IngressClass spec.controller values this module serves. */
  ingressControllers: string[];
  /** GatewayClass spec.controllerName values this module serves. */
  gatewayControllers: string[];
  /** The data-plane pods and Service that carry traffic for an Ingress class or a Gateway. */
  dataPlane(s: ClusterSnapshot, owner: Owner): DataPlane;
  accessLog: AccessLog;
  /** nginx family: what makes the data plane write nginx debug lines (the execution path of a probe). */
  debugLog?: string;
  /** Whether a probe adds the `kubetrace=<traceId>` query marker by default (the log drops headers). */
  queryMark: boolean;
  /** True when a span from a trace backend is this controller's (scope, service name, attributes). */
  isOwnSpan(span: SpanShape): boolean;
  /** How tracing is turned on for this controller. */
  tracing: string;
  /** How its traced proxy is made to continue the client's trace instead of starting its own, where it can start one. */
  propagation?: string;
  /** Where the data plane's version comes from: image name, and a command to run in the pod. */
  version: { image: RegExp; exec?: string[] };
  /** Which source tree its spans map to, or why there is none. */
  source: { tree: 'nginx' } | { tree: 'haproxy' } | { tree: 'none'; reason: string };
}
