// HTTPRoute rules as the migration compare reads them (static.ts, annotations.ts). Routes come from raw cluster JSON:
// every field is read through these guards, so a missing or wrong-typed field is absent and nothing throws.
import { isSecretHeader, isSecretName } from '../redact';

type Rec = Record<string, unknown>;
export const obj = (x: unknown): Rec | undefined =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Rec) : undefined;
export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

export interface MatchView {
  /** The path match type, Gateway API's default (PathPrefix) when absent. */
  type: string;
  value: string;
  /** What a request needs besides the path, as plain words ("with header X-Tier: gold"); secret values left out. */
  conditions: string[];
  headerNames: string[];
}
export interface RuleView {
  hostnames: string[];
  matches: MatchView[];
  /** Filter types of the rule and of its backendRefs. */
  filters: string[];
  httpsRedirect: boolean;
  timeouts: boolean;
  backendRefs: number;
}

// The Gateway API default: a rule without matches (or a match without a path) matches every path.
const everything = (): MatchView => ({ type: 'PathPrefix', value: '/', conditions: [], headerNames: [] });

function conditionsOf(m: Rec): { conditions: string[]; headerNames: string[] } {
  const conditions: string[] = [];
  const headerNames: string[] = [];
  for (const h of arr(m.headers).map(obj)) {
    const name = str(h?.name);
    if (!name) continue;
    headerNames.push(name.toLowerCase());
    conditions.push(`with header ${name}${valueWords(str(h?.type), str(h?.value), isSecretHeader(name), ': ')}`);
  }
  for (const q of arr(m.queryParams).map(obj)) {
    const name = str(q?.name);
    if (name)
      conditions.push(
        `with query parameter ${name}${valueWords(str(q?.type), str(q?.value), isSecretName(name), '=')}`,
      );
  }
  const method = str(m.method);
  if (method) conditions.push(`with method ${method}`);
  return { conditions, headerNames };
}

// A header or parameter value is named unless the name says it is a credential (then only the name is printed).
function valueWords(type: string | undefined, value: string | undefined, secret: boolean, sep: string): string {
  if (value === undefined || secret) return '';
  return type === 'RegularExpression' ? ` matching ${clip(value)}` : `${sep}${clip(value)}`;
}

export const clip = (s: string): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
};

function matchOf(m: Rec): MatchView {
  const path = obj(m.path);
  return {
    type: str(path?.type) ?? 'PathPrefix',
    value: str(path?.value) ?? '/',
    ...conditionsOf(m),
  };
}

const filterTypes = (filters: unknown): Rec[] =>
  arr(filters)
    .map(obj)
    .filter((f): f is Rec => !!f);

export function ruleViews(routes: unknown): RuleView[] {
  const out: RuleView[] = [];
  for (const route of arr(routes).map(obj)) {
    const spec = obj(route?.spec);
    const hostnames = arr(spec?.hostnames)
      .map(str)
      .filter((h): h is string => !!h);
    for (const rule of arr(spec?.rules).map(obj)) {
      if (!rule) continue;
      const given = arr(rule.matches)
        .map(obj)
        .filter((m): m is Rec => !!m);
      const backends = arr(rule.backendRefs)
        .map(obj)
        .filter((b): b is Rec => !!b);
      const filters = [...filterTypes(rule.filters), ...backends.flatMap((b) => filterTypes(b.filters))];
      const timeouts = obj(rule.timeouts);
      out.push({
        hostnames,
        matches: given.length ? given.map(matchOf) : [everything()],
        filters: filters.map((f) => str(f.type) ?? '').filter(Boolean),
        httpsRedirect: filters.some(
          (f) => f.type === 'RequestRedirect' && str(obj(f.requestRedirect)?.scheme)?.toLowerCase() === 'https',
        ),
        timeouts: !!(str(timeouts?.request) || str(timeouts?.backendRequest)),
        backendRefs: backends.length,
      });
    }
  }
  return out;
}
