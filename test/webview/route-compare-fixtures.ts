// A `routeCompare` message as "Compare With Route..." posts it: the sandbox's orders Ingress against its HTTPRoute
// twin, one error, one warning and one info row, one thing not carried over, and the first trace of each side.
import type { RouteCompareMessage } from '../../src/protocol/messages';
import { probeTrace } from './fixtures';

export const HOSTILE_WHAT = '<img src=x onerror="window.__pwned=1">header x-shop';
export const B_TRACE_ID = '5cf92f3577b34da6a3ce929d0e0e4737';

export function routeCompareMessage(): RouteCompareMessage {
  const a = probeTrace();
  const b = probeTrace(1.5, B_TRACE_ID);
  return {
    type: 'routeCompare',
    comparison: {
      a: {
        route: 'ingress/shop/orders',
        traceIds: [a.traceId, '1'.repeat(32), '2'.repeat(32)],
        status: 200,
        medianMs: 41.5,
        layers: { client: 41.5, ingress: 12.25, app: 20, total: 41.5 },
        url: 'http://shop.test/orders',
      },
      b: {
        route: 'httproute/shop/orders-route',
        traceIds: [b.traceId, '3'.repeat(32), '4'.repeat(32)],
        status: '200 | 404',
        medianMs: 55,
        layers: { client: 55, ingress: 20, app: 22, total: 55 },
        url: 'http://shop.test/orders',
      },
      equal: false,
      differences: [
        { what: 'time (median)', a: '41.5 ms', b: '55.0 ms', severity: 'info' },
        { what: HOSTILE_WHAT, a: 'kt-1', severity: 'warning' },
        { what: 'status', a: 200, b: '200 | 404', severity: 'error' },
      ],
      notCarriedOver: [
        {
          what: 'nginx.ingress.kubernetes.io/rewrite-target',
          detail: "no URLRewrite filter on the route's rule for /orders",
        },
      ],
    },
    a,
    b,
    aHistoryId: 'h1',
    bHistoryId: 'h2',
  };
}
