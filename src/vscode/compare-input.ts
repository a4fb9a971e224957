// What "Compare With Route..." asks and checks, without VS Code: the routes offered for the other side (in which
// order, and which one is pre-selected), the probe count's rule (MAX_COMPARE_COUNT) and when the user must consent.
import { MAX_COMPARE_COUNT } from '../core/compare/run';
import type { RouteEntry } from '../core/kube/routes';
import { needsConsent } from './burst-input';

export interface RouteChoice {
  label: string;
  description: string;
  entry: RouteEntry;
}

const id = (e: RouteEntry) => `${e.kind}/${e.namespace}/${e.name}`;
/** "orders-route" and "orders" share "orders": the twin a migration usually gives the new route. */
const stem = (name: string) => name.split(/[-_.]/)[0];

/** Every route but the clicked one; the other kind first (a migration compares an Ingress with an HTTPRoute), then
 *  by namespace and name. `preselect` is the index of the likely twin: same name stem, the same namespace first. */
export function routeChoices(
  entries: RouteEntry[],
  clicked: RouteEntry,
): { choices: RouteChoice[]; preselect: number } {
  const others = entries
    .filter((e) => id(e) !== id(clicked))
    .sort(
      (x, y) =>
        Number(x.kind === clicked.kind) - Number(y.kind === clicked.kind) ||
        x.namespace.localeCompare(y.namespace) ||
        x.name.localeCompare(y.name),
    );
  // The likely twin: the same name stem, the same backends, the same namespace, and a plain match (orders-route
  // over orders-gold, whose rule needs a header the Ingress never asked for).
  const mine = services(clicked);
  const score = (e: RouteEntry) => {
    if (refused(e)) return 0;
    const shared = [...services(e)].some((x) => mine.has(x));
    if (stem(e.name) !== stem(clicked.name) && !shared) return 0;
    return (
      4 * Number(stem(e.name) === stem(clicked.name)) +
      2 * Number(shared) +
      2 * Number(e.namespace === clicked.namespace) +
      Number(!needsMatch(e))
    );
  };
  let preselect = -1;
  others.forEach((e, i) => {
    if (score(e) > 0 && (preselect < 0 || score(e) > score(others[preselect]))) preselect = i;
  });
  return {
    choices: others.map((entry) => ({
      label: `${entry.namespace}/${entry.name}`,
      description: refused(entry) ? `${entry.kind} · not accepted by its Gateway` : entry.kind,
      entry,
    })),
    preselect,
  };
}

const services = (e: RouteEntry) =>
  new Set(
    [
      ...e.rules.flatMap((r) => r.paths.flatMap((p) => p.backends.map((b) => b.service?.name))),
      e.defaultBackend?.service?.name,
    ].filter((x): x is string => !!x),
  );
/** An HTTPRoute no Gateway accepted cannot be probed (the probe says why): never the likely twin. */
const refused = (e: RouteEntry) => e.kind === 'HTTPRoute' && !!e.parents && !e.parents.some((p) => p.accepted);
const needsMatch = (e: RouteEntry) =>
  e.rules.some((r) =>
    r.paths.some((p) => !!p.matches?.headers?.length || !!p.matches?.queryParams?.length || !!p.matches?.method),
  );

export function checkProbeCount(v: string): string | undefined {
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= 1 && n <= MAX_COMPARE_COUNT
    ? undefined
    : `a whole number from 1 to ${MAX_COMPARE_COUNT}`;
}

/** The burst's rule, since a comparison is 2 × count GETs: consent outside the sandbox above confirmAbove. */
export function compareNeedsConsent(sandbox: boolean, count: number): boolean {
  return needsConsent(sandbox, 2 * count, 'GET');
}
