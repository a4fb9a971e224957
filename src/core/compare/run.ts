// `compare`: the same request through two routes (an Ingress and the HTTPRoute replacing it, say), N probes each,
// alternating so that a change in the cluster during the run hits both sides alike.
import type { Ingress, HTTPRoute } from '../kube/objects';
import { KINDS, kindPath } from '../kube/list';
import { errorMessage, UsageError } from '../errors';
import { redact } from '../redact';
import { BURST_LIMITS } from '../burst/types';
import { isSandbox } from '../kube/sandbox';
import { routeKind, type RouteRef } from '../probe/route-ref';
import { runProbe, type ProbeOptions, type ProbeOutcome } from '../probe/run';
import type { Layer } from '../trace/model';
import { compareFacts, medianLayers, type Difference } from './diff';
import { probeFacts } from './facts';
import { notCarriedOver, type NotCarriedOver } from './static';

export interface CompareSide {
  route: string;
  traceIds: string[];
  /** The status every probe got, or the distinct ones joined by ` | `. */
  status: number | string;
  /** Median of the client's whole exchange. */
  medianMs: number;
  layers: Partial<Record<Layer | 'total', number>>;
  url?: string;
}

export interface RouteComparison {
  a: CompareSide;
  b: CompareSide;
  equal: boolean;
  differences: Difference[];
  notCarriedOver: NotCarriedOver[];
}

export type CompareOptions = Omit<ProbeOptions, 'kind' | 'namespace' | 'name'> & {
  a: RouteRef;
  b: RouteRef;
  /** Probes per route. */
  count: number;
  /** Each probe's outcome as it comes, e.g. to keep its trace in history. */
  onOutcome?: (side: 'a' | 'b', outcome: ProbeOutcome) => void;
};

export const MAX_COMPARE_COUNT = 50;

export const refText = (r: RouteRef) => `${r.kind ? r.kind.toLowerCase() + '/' : ''}${r.namespace}/${r.name}`;

/** Checks the count and the consent before anything is sent. */
export function checkCompare(o: Pick<CompareOptions, 'count' | 'config' | 'confirmed'>): void {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_COMPARE_COUNT)
    throw new UsageError(`compare sends 1 to ${MAX_COMPARE_COUNT} probes per route, not ${o.count}`);
  // As for bursts: a few probes are a probe; more than 20 requests to a real cluster are a load the user agrees to.
  if (2 * o.count > BURST_LIMITS.confirmAbove && !isSandbox(o.config) && !o.confirmed)
    throw new UsageError(
      `comparing with ${o.count} probes per route sends ${2 * o.count} requests to a cluster that is not the ` +
        'Kubetrace sandbox: that needs confirmation',
      `add --yes, or use -n ${BURST_LIMITS.confirmAbove / 2} or fewer`,
    );
}

export async function runCompare(o: CompareOptions): Promise<RouteComparison> {
  checkCompare(o);
  const progress = o.onProgress ?? (() => {});
  const kinds = await Promise.all([routeKind(o.api, o.a, o.signal), routeKind(o.api, o.b, o.signal)]);
  const refs = [
    { ...o.a, kind: kinds[0] },
    { ...o.b, kind: kinds[1] },
  ];
  const outcomes: ProbeOutcome[][] = [[], []];
  // The same request through both: B gets the path A's route chose, unless the user gave one. The host stays each
  // route's own (a migration often moves a route to a new hostname first); --host sets both.
  const hosts = [o.host, o.host];
  let path = o.path;
  let scheme: 'http' | 'https' | undefined;
  for (let i = 0; i < o.count; i++)
    for (const side of [0, 1] as const) {
      o.signal?.throwIfAborted();
      const ref = refs[side];
      progress(`probe ${i + 1}/${o.count} through ${refText(ref)}`);
      const outcome = await runProbe({ ...o, ...ref, host: hosts[side], path, scheme, onProgress: undefined });
      hosts[side] ??= outcome.choice.host;
      path ??= outcome.choice.path;
      // An HTTPRoute with both an HTTP and an HTTPS listener is probed with the scheme the other route used.
      scheme ??= outcome.target.scheme;
      outcomes[side].push(outcome);
      o.onOutcome?.(side ? 'b' : 'a', outcome);
    }
  const facts = outcomes.map((list) => list.map(probeFacts));
  const differences = compareFacts(facts[0], facts[1]);
  progress('reading both routes for what the migration did not carry over');
  return {
    a: side(refs[0], outcomes[0], facts[0]),
    b: side(refs[1], outcomes[1], facts[1]),
    equal: !differences.some((d) => d.severity !== 'info'),
    differences,
    notCarriedOver: await staticDifferences(o, refs[0], refs[1]),
  };
}

function side(ref: RouteRef, outcomes: ProbeOutcome[], facts: ReturnType<typeof probeFacts>[]): CompareSide {
  const statuses = [...new Set(facts.map((f) => f.status))];
  const ms = outcomes.map((x) => x.timings.exchangeMs).sort((x, y) => x - y);
  const m = ms.length >> 1;
  return {
    route: refText(ref),
    traceIds: facts.map((f) => f.traceId),
    status: statuses.length === 1 ? statuses[0] : statuses.map(String).sort().join(' | '),
    medianMs: ms.length ? (ms.length % 2 ? ms[m] : (ms[m - 1] + ms[m]) / 2) : 0,
    layers: medianLayers(facts),
    url: outcomes[0] ? redact(outcomes[0].url) : undefined,
  };
}

/** An Ingress against an HTTPRoute (either order): what the route does not do that the Ingress did. */
async function staticDifferences(o: CompareOptions, a: RouteRef, b: RouteRef): Promise<NotCarriedOver[]> {
  const ing = a.kind === 'Ingress' ? a : b.kind === 'Ingress' ? b : undefined;
  const route = a.kind === 'HTTPRoute' ? a : b.kind === 'HTTPRoute' ? b : undefined;
  if (!ing || !route) return [];
  try {
    const [i, r] = await Promise.all([
      o.api.json<Ingress>({ path: kindPath(KINDS.ingresses, ing.namespace, ing.name), signal: o.signal }),
      o.api.json<HTTPRoute>({ path: kindPath(KINDS.httproutes, route.namespace, route.name), signal: o.signal }),
    ]);
    return notCarriedOver(i, [r]);
  } catch (e) {
    return [{ what: 'the static comparison', detail: `could not read both objects: ${errorMessage(e)}` }];
  }
}
