// `$upstream_*` variables hold one entry per try: `, ` between retries, ` : ` between internal redirects.
import type { AccessLogRecord, UpstreamTry } from './types';
import { isDash, parseSeconds, parseUint } from './values';

export interface UpstreamFields {
  addr?: string;
  status?: string;
  responseTime?: string;
  connectTime?: string;
  headerTime?: string;
  responseLength?: string;
}

/** `a, b : c` → [['a','b'],['c']]. Only ` : ` with spaces separates groups: addresses such as `[::1]:80` hold ':'. */
export function splitUpstreamList(s: string): string[][] {
  // One try, the usual case: no list to split.
  if (s.indexOf(',') < 0 && s.indexOf(' : ') < 0) return [[s.trim()]];
  // split(',') + trim rather than split(/\s*,\s*/), which is quadratic on long runs of spaces.
  return s.split(' : ').map((g) => g.split(',').map((e) => e.trim()));
}

// An entry where every field is `-` is no try at all (e.g. `return 503`, or an error before balancing).
export function buildUpstreams(f: UpstreamFields, warnings: string[]): UpstreamTry[] {
  if (isDash(f.addr) && isDash(f.status) && isDash(f.responseTime)) return [];
  const addrs = splitUpstreamList(f.addr ?? '-');
  const lists = {
    status: f.status ? splitUpstreamList(f.status) : undefined,
    responseTime: f.responseTime ? splitUpstreamList(f.responseTime) : undefined,
    connectTime: f.connectTime ? splitUpstreamList(f.connectTime) : undefined,
    headerTime: f.headerTime ? splitUpstreamList(f.headerTime) : undefined,
    responseLength: f.responseLength ? splitUpstreamList(f.responseLength) : undefined,
  };
  for (const name of LIST_NAMES) {
    const list = lists[name];
    if (list && !sameShape(addrs, list))
      warnings.push(`upstream_${snake(name)} has a different number of entries than upstream_addr`);
  }
  const tries: UpstreamTry[] = [];
  const total = addrs.reduce((n, g) => n + g.length, 0);
  if (total > MAX_TRIES) warnings.push(`upstream_addr lists ${total} entries; only the first ${MAX_TRIES} are kept`);
  for (let g = 0; g < addrs.length && tries.length < MAX_TRIES; g++) {
    for (let i = 0; i < addrs[g].length && tries.length < MAX_TRIES; i++) {
      const addr = addrs[g][i];
      const t: UpstreamTry = { addr: isDash(addr) ? null : addr, group: g };
      const status = parseUint(at(lists.status, g, i));
      if (status !== undefined) t.status = status;
      const rt = parseSeconds(at(lists.responseTime, g, i));
      if (rt !== undefined) t.responseTime = rt;
      const ct = parseSeconds(at(lists.connectTime, g, i));
      if (ct !== undefined) t.connectTime = ct;
      const ht = parseSeconds(at(lists.headerTime, g, i));
      if (ht !== undefined) t.headerTime = ht;
      const len = parseUint(at(lists.responseLength, g, i));
      if (len !== undefined) t.responseLength = len;
      tries.push(t);
    }
  }
  return tries;
}

/** A text line's `$upstream_*` fields: kept on the record as logged, and read into its tries. */
export function putUpstreams(
  rec: AccessLogRecord,
  f: Required<Pick<UpstreamFields, 'addr' | 'responseLength' | 'responseTime' | 'status'>> &
    Pick<UpstreamFields, 'connectTime' | 'headerTime'>,
): void {
  rec.vars.upstream_addr = f.addr;
  rec.vars.upstream_response_length = f.responseLength;
  rec.vars.upstream_response_time = f.responseTime;
  rec.vars.upstream_status = f.status;
  rec.upstreams = buildUpstreams(f, rec.warnings);
}

/** Real lines hold a handful (proxy_next_upstream_tries, a few redirects); more is a damaged line. */
export const MAX_TRIES = 256;

const LIST_NAMES = ['status', 'responseTime', 'connectTime', 'headerTime', 'responseLength'] as const;

function at(list: string[][] | undefined, g: number, i: number): string | undefined {
  return list?.[g]?.[i];
}

function sameShape(a: string[][], b: string[][]): boolean {
  return a.length === b.length && a.every((g, i) => g.length === b[i].length);
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A time list such as `0.001`, `-, 0.000` or `- : 0.001`. */
export const TIME_LIST = /^(?:-|\d+\.\d+)(?:(?:, | : )(?:-|\d+\.\d+))*$/;
