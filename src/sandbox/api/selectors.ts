// Label and field selectors, parsed as the API server parses them; a bad selector is a 400 BadRequest.
import type { KubeObject } from '../store';
import { ApiError, badRequest } from './status';

type Op = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}
export type Matcher = (o: KubeObject) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits at commas outside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0,
    cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x.length);
}

function parseRequirement(text: string): Requirement {
  const bad = (why: string) => new ApiError(badRequest(`unable to parse requirement: ${why}`));
  let m = /^(!?)\s*([^\s=!<>(),]+)$/.exec(text);
  if (m) return { key: m[2], op: m[1] ? '!exists' : 'exists', values: [] };
  m = /^([^\s=!<>(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (m) return { key: m[1], op: m[2] as Op, values: m[3].split(',').map((v) => v.trim()) };
  m = /^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/.exec(text);
  if (m) {
    const op: Op = m[2] === '!=' ? '!=' : m[2] === '>' ? 'gt' : m[2] === '<' ? 'lt' : '=';
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(m[3]))
      throw bad(`for 'gt', 'lt' operators, the value must be an integer`);
    return { key: m[1], op, values: [m[3]] };
  }
  throw bad(`found '${text}', expected: !, identifier, or 'end of string'`);
}

export function parseLabelSelector(s: string | null): Matcher {
  if (!s || !s.trim()) return () => true;
  const reqs = splitTop(s).map(parseRequirement);
  for (const r of reqs) {
    if (!KEY.test(r.key))
      throw new ApiError(
        badRequest(
          `unable to parse requirement: invalid label key "${r.key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        ),
      );
    for (const v of r.values)
      if (!VALUE.test(v)) throw new ApiError(badRequest(`unable to parse requirement: invalid label value: "${v}"`));
  }
  return (o) => {
    const labels = o.metadata.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case '=':
          return has && v === r.values[0];
        case '!=':
          return !has || v !== r.values[0];
        case 'in':
          return has && r.values.includes(v);
        case 'notin':
          return !has || !r.values.includes(v);
        case 'gt':
          return has && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
        case 'lt':
          return has && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
      }
    });
  };
}

const get = (o: unknown, path: string[]): string => {
  let cur: unknown = o;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
};

/** Field selectors each kind supports (from the API server's field label conversion functions). */
const FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Service: ['spec.clusterIP', 'spec.type'],
  Namespace: ['status.phase'],
  Secret: ['type'],
  EndpointSlice: ['addressType'],
};

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

export function parseFieldSelector(s: string | null, kind: string): Matcher {
  if (!s || !s.trim()) return () => true;
  const parts = s
    .split(/(?<!\\),/)
    .map((x) => x.trim())
    .filter(Boolean);
  const reqs = parts.map((p) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(p);
    if (!m) throw new ApiError(badRequest(`invalid selector: '${s}'; can't understand '${p}'`));
    const field = m[1].trim();
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !(FIELDS[kind] ?? []).includes(field)) {
      throw new ApiError(badRequest(`field label not supported: ${field}`));
    }
    return { path: field.split('.'), neg: m[2] === '!=', value: unescape(m[3]) };
  });
  return (o) => reqs.every((r) => (get(o, r.path) === r.value) !== r.neg);
}
