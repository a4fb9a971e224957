// Traefik, as an Ingress controller and as a Gateway API implementation. Its default log drops request
// headers (and is off), so a probe marks itself with a query parameter.
import { K, label, scopeOf, selectDataPlane } from './pods';
import type { ControllerModule } from './types';

export const traefik: ControllerModule = {
  id: 'traefik',
  title: 'Traefik',
  family: 'traefik',
  ingressControllers: ['traefik.io/ingress-controller'],
  gatewayControllers: ['traefik.io/gateway-controller'],
  dataPlane: (s) => selectDataPlane(s, (l) => label(l, `${K}name`) === 'traefik'),
  accessLog: {
    container: 'traefik',
    format: 'traefik-clf',
    onByDefault: false,
    logs: { requestId: false, userAgent: false, query: true },
    setting: 'turn the access log on: accessLog.format=json and accessLog.fields.headers.names.User-Agent=keep',
  },
  queryMark: true,
  isOwnSpan: (s) => scopeOf(s) === 'github.com/traefik/traefik' || s.service === 'traefik',
  tracing: 'set tracing.otlp in the static configuration (sampleRate 1.0)',
  version: { image: /(^|\/)traefik(:|@|$)/, exec: ['traefik', 'version'] },
  source: { tree: 'none', reason: 'Kubetrace has no source mapping for Traefik yet' },
};
