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
  const twin = (e: RouteEntry) => stem(e.name) === stem(clicked.name);
  const preselect = Math.max(
    others.findIndex((e) => twin(e) && e.namespace === clicked.namespace),
    -1,
  );
  return {
    choices: others.map((entry) => ({
      label: `${entry.namespace}/${entry.name}`,
      description: entry.kind,
      entry,
    })),
    preselect: preselect >= 0 ? preselect : others.findIndex(twin),
  };
}

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
