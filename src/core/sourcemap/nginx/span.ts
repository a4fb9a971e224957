// Span -> nginx source. Kubetrace's own nginx spans map through the phase index; a span from
// nginx's OTel modules (one SERVER span named after the location) maps to the request handler,
// with the location in moreSources.
import type { SourceRef, Span } from '../../trace/model';
import { resolveFunctionRange, resolveFunctionRangeSync, type FunctionRange } from './functions';
import { phaseEntry, type NginxFn, type PhaseEntry } from './phases';
import { treeFile, type NginxSourceTree } from './source-tree';

export interface NginxSpanSource {
  source?: SourceRef;
  moreSources?: SourceRef[];
  sourceReason?: string;
}
export interface NginxSpanOptions {
  /** Why there is no tree (offline, unknown version...), shown when `tree` is absent. */
  missingTreeReason?: string;
}

const OWN_NAMES = /^(nginx|upstream\.(attempt|connect|header|response)|proxy|nginx\..+)$/;
const LOCATION_NAME = /^(\/|=|~|\^~|@)/;

/** The phase-index entry for a span, or undefined when it is not an nginx span. */
export function nginxEntryForSpan(span: Span): { entry: PhaseEntry; location?: string } | undefined {
  const own = span.origin === 'nginx-log' || span.origin === 'nginx-debug' || span.layer === 'ingress';
  if (own && OWN_NAMES.test(span.name)) {
    const attempt = Number(span.attributes['kubetrace.upstream.attempt']);
    const key = span.name === 'upstream.attempt' && attempt > 1 ? 'upstream.attempt#retry' : span.name;
    const entry = phaseEntry(key);
    if (entry) return { entry };
  }
  if (isNginxOtelSpan(span)) {
    const route = span.attributes['http.route'];
    const location = typeof route === 'string' && route ? route : LOCATION_NAME.test(span.name) ? span.name : undefined;
    return { entry: phaseEntry('nginx')!, location };
  }
  return undefined;
}

/** A server span from ngx_otel_module or ingress-nginx's OpenTelemetry module. */
export function isNginxOtelSpan(span: Span): boolean {
  if (span.kind !== 'server' || span.origin === 'nginx-log' || span.origin === 'nginx-debug' || span.origin === 'probe')
    return false;
  if (OWN_NAMES.test(span.name) && span.layer === 'ingress') return false;
  const a = span.attributes;
  const scope = String(a['otel.scope.name'] ?? a['otel.library.name'] ?? '');
  return /nginx/i.test(span.service) || /^nginx/i.test(scope) || /nginx/i.test(String(a['service.name'] ?? ''));
}

function ref(fn: NginxFn, tree: NginxSourceTree | undefined, range: FunctionRange | undefined): SourceRef {
  const path = (tree && treeFile(tree, fn.file)) || fn.file;
  const r: SourceRef = { kind: 'nginx', path, function: fn.fn };
  if (range) {
    r.line = range.line;
    if (range.endLine) r.endLine = range.endLine;
  }
  return r;
}

function build(
  hit: { entry: PhaseEntry; location?: string },
  tree: NginxSourceTree | undefined,
  ranges: (FunctionRange | undefined)[],
  opts: NginxSpanOptions | undefined,
): NginxSpanSource {
  const { entry, location } = hit;
  const [main, ...more] = [entry.main, ...entry.more].map((fn, i) => ref(fn, tree, ranges[i]));
  const moreSources: SourceRef[] = [];
  if (location) moreSources.push({ kind: 'nginx-conf', path: location });
  moreSources.push(...more);
  const out: NginxSpanSource = { source: main, moreSources };
  if (!tree) {
    out.sourceReason =
      opts?.missingTreeReason ?? `no nginx source tree is available, so ${entry.main.fn} is shown without a line`;
  } else if (!ranges[0]) {
    out.sourceReason =
      `${entry.main.fn} was not found in ${entry.main.file} of the nginx source at ${tree.root}` +
      (tree.version ? ` (version ${tree.version})` : '');
  }
  return out;
}

/**
 * Source for an nginx span, synchronously (files are read once and cached). Returns `{}` for
 * spans that are not nginx's. Paths are absolute inside `tree`, or tree-relative without one.
 */
export function nginxSourceForSpan(span: Span, tree?: NginxSourceTree, opts?: NginxSpanOptions): NginxSpanSource {
  const hit = nginxEntryForSpan(span);
  if (!hit) return {};
  // A trace has thousands of spans but few distinct answers: build each once, hand out copies.
  let perEntry = memo.get(hit.entry);
  if (!perEntry) memo.set(hit.entry, (perEntry = new Map()));
  const key = `${tree?.root ?? ''}\0${hit.location ?? ''}\0${opts?.missingTreeReason ?? ''}`;
  let out = perEntry.get(key);
  if (!out) {
    const fns = [hit.entry.main, ...hit.entry.more];
    const ranges = tree ? fns.map((fn) => resolveFunctionRangeSync(tree, fn.file, fn.fn)) : [];
    out = build(hit, tree, ranges, opts);
    if (perEntry.size > 1000) perEntry.clear();
    perEntry.set(key, out);
  }
  return copy(out);
}

let memo = new WeakMap<PhaseEntry, Map<string, NginxSpanSource>>();

function copy(r: NginxSpanSource): NginxSpanSource {
  const c: NginxSpanSource = {};
  if (r.source) c.source = { ...r.source };
  if (r.moreSources) c.moreSources = r.moreSources.map((m) => ({ ...m }));
  if (r.sourceReason !== undefined) c.sourceReason = r.sourceReason;
  return c;
}

/** Forget memoized answers (after a tree was replaced on disk). */
export function forgetSpanMemo(): void {
  memo = new WeakMap();
}

/** The same, reading files asynchronously. */
export async function resolveNginxSourceForSpan(
  span: Span,
  tree?: NginxSourceTree,
  opts?: NginxSpanOptions,
): Promise<NginxSpanSource> {
  const hit = nginxEntryForSpan(span);
  if (!hit) return {};
  const fns = [hit.entry.main, ...hit.entry.more];
  const ranges = tree ? await Promise.all(fns.map((fn) => resolveFunctionRange(tree, fn.file, fn.fn))) : [];
  return build(hit, tree, ranges, opts);
}
