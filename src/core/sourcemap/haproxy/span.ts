// Span -> HAProxy source: a span made from HAProxy's access log opens the function of its phase (`phases.ts`) in the
// tree of the detected version, or says why it cannot.
import type { SourceKind, SourceRef, Span } from '../../trace/model';
import { haproxyPhase, type HaproxyFn } from './phases';
import { haproxyFunction, type HaproxySourceTree } from './tree';

// The trace model has no `haproxy` source kind yet (adding one means a title in webview/sources.ts): HAProxy's C
// functions travel as the proxy-source kind nginx's use, and the path and function say which proxy they are in.
export const HAPROXY_REF_KIND: SourceKind = 'haproxy';

export interface HaproxySpanSource {
  source?: SourceRef;
  moreSources?: SourceRef[];
  sourceReason?: string;
}

function ref(fn: HaproxyFn, tree: HaproxySourceTree | undefined): SourceRef {
  const hit = tree ? haproxyFunction(tree, fn.file, fn.fn) : undefined;
  const r: SourceRef = { kind: HAPROXY_REF_KIND, path: tree ? `${tree.root}/${fn.file}` : fn.file, function: fn.fn };
  if (hit) {
    r.line = hit.line;
    if (hit.endLine) r.endLine = hit.endLine;
  }
  return r;
}

/**
 * Source for one of HAProxy's log spans (`haproxy`, `upstream.attempt`, `queue`, `upstream.connect`,
 * `upstream.header`, `upstream.response`); a reason only for any other name. Without a tree the function names are
 * still given, without lines, and `missingReason` says why.
 */
export function haproxySourceForSpan(
  span: Pick<Span, 'name'>,
  tree: HaproxySourceTree | undefined,
  missingReason?: string,
  wantVersion?: string,
): HaproxySpanSource {
  const phase = haproxyPhase(span.name);
  if (!phase) return { sourceReason: `HAProxy has no function indexed for a span named ${span.name}` };
  const [source, ...moreSources] = [phase.main, ...phase.more].map((fn) => ref(fn, tree));
  const out: HaproxySpanSource = { source, moreSources };
  const version = tree?.version ? ` ${tree.version}` : '';
  if (!tree)
    out.sourceReason =
      missingReason ?? `no HAProxy source tree is available, so ${phase.main.fn} is shown without a line`;
  else if (source.line === undefined)
    out.sourceReason = `${phase.main.fn} was not found in ${phase.main.file} of the HAProxy${version} source at ${tree.root}`;
  else if (wantVersion && tree.version && wantVersion !== tree.version)
    out.sourceReason = `lines are those of HAProxy${version}'s source; the controller runs ${wantVersion}, so a few may differ`;
  return out;
}
