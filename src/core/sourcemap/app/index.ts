// App spans -> app source. In order: code.* attributes, stack-trace frames that belong to the app, then
// the route handler found from http.route or the method and path. For an error span whose exception stack maps, the
// throw site is the main place and the span's own code location goes to moreSources.
import type { SourceRef, Span } from '../../trace/model';
import { codeAttributes, javaStyleTarget, stackFrames, type CodeLocation } from './attrs';
import { mapContainerPath, type Confidence, type MapContext, type MapHints } from './pathmap';
import { confidenceOf, findRoutes } from './routes';
import { fileLines } from './workspace';

export interface AppSourceResult {
  source?: SourceRef;
  moreSources?: SourceRef[];
  reason?: string;
  confidence?: Confidence;
  via?: 'code-attributes' | 'stacktrace' | 'route';
  note?: string; // how an uncertain source was chosen (route match, tie broken by name)
}

const MAX_MORE = 5;
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** The Deployment a span's pod belongs to: k8s.deployment.name, else the pod name minus its ReplicaSet hash and suffix. */
export function deploymentOf(span: Pick<Span, 'attributes'>): string | undefined {
  const a = span.attributes ?? {};
  const d = str(a['k8s.deployment.name']);
  if (d) return d;
  const pod = str(a['kubetrace.pod']) ?? str(a['k8s.pod.name']);
  const m = pod ? /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(pod) : null;
  return m ? m[1] : undefined;
}

function hintsFor(span: Span, loc?: { line?: number; function?: string }): MapHints {
  const h: MapHints = {};
  const service = span.service || str(span.attributes?.['service.name']);
  if (service) h.service = service;
  const dep = deploymentOf(span);
  if (dep) h.deployment = dep;
  if (loc?.line) h.line = loc.line;
  if (loc?.function) h.function = loc.function;
  return h;
}

const appRef = (path: string, line?: number, fn?: string): SourceRef => ({
  kind: 'app',
  path,
  ...(line ? { line } : {}),
  ...(fn ? { function: fn } : {}),
});

async function fromCodeAttrs(
  span: Span,
  loc: CodeLocation,
  ctx: MapContext,
): Promise<AppSourceResult & { candidates?: SourceRef[] }> {
  if (loc.file) {
    const r = await mapContainerPath(loc.file, ctx, hintsFor(span, loc));
    if (r.ok)
      return {
        source: appRef(r.path, loc.line, loc.function),
        confidence: r.confidence,
        via: 'code-attributes',
        ...(r.confidence !== 'high' ? { note: `${loc.file}: ${r.via}` } : {}),
      };
    return {
      reason: `code.file.path ${loc.file}: ${r.reason}`,
      candidates: (r.candidates ?? []).map((p) => appRef(p, loc.line, loc.function)),
    };
  }
  const java = javaStyleTarget(loc);
  if (!java) return { reason: `the span names function ${loc.function ?? loc.namespace} but no file` };
  for (const ext of ['java', 'kt']) {
    const r = await mapContainerPath(`${java.suffix}.${ext}`, ctx, hintsFor(span));
    if (!r.ok) continue;
    const line = await methodLine(r.path, java.method);
    return {
      source: appRef(r.path, line, loc.function),
      confidence: line ? r.confidence : 'low',
      via: 'code-attributes',
    };
  }
  return { reason: `no workspace file holds class ${loc.namespace ?? java.suffix.replace(/\//g, '.')}` };
}

async function methodLine(file: string, method: string): Promise<number | undefined> {
  const lines = await fileLines(file);
  if (!lines) return undefined;
  const esc = method.replace(/[$]/g, '\\$');
  const modifiers = 'public|private|protected|internal|static|final|synchronized|abstract|override|suspend|open|fun';
  const decl = new RegExp(`^\\s*(?:@\\w+\\s+)*(?:(?:${modifiers})\\s+)*(?:[\\w<>\\[\\],.?]+\\s+)?${esc}\\s*\\(`);
  const i = lines.findIndex((l) => decl.test(l) && !/\breturn\b|=|;\s*$/.test(l));
  return i >= 0 ? i + 1 : undefined;
}

async function fromStack(
  span: Span,
  ctx: MapContext,
): Promise<{ refs: SourceRef[]; confidence?: Confidence; reason?: string; note?: string }> {
  const { app, all } = stackFrames(span);
  if (!all.length) return { refs: [] };
  if (!app.length)
    return { refs: [], reason: `the stack trace has ${all.length} frames, all in libraries or the runtime` };
  const refs: SourceRef[] = [];
  let confidence: Confidence | undefined;
  let note: string | undefined;
  let firstReason: string | undefined;
  for (const f of app) {
    if (refs.length > MAX_MORE) break;
    const r = await mapContainerPath(f.file, ctx, hintsFor(span, f));
    if (r.ok) {
      if (!refs.some((x) => x.path === r.path && x.line === f.line)) refs.push(appRef(r.path, f.line, f.function));
      if (!confidence) {
        confidence = r.confidence;
        if (r.confidence !== 'high') note = `stack frame ${f.file}: ${r.via}`;
      }
    } else firstReason ??= `stack frame ${f.file}:${f.line}: ${r.reason}`;
  }
  return {
    refs,
    ...(confidence ? { confidence } : {}),
    ...(note ? { note } : {}),
    ...(firstReason && !refs.length ? { reason: firstReason } : {}),
  };
}

function routeQuery(span: Span) {
  const a = span.attributes ?? {};
  const route = str(a['http.route']);
  let path = str(a['url.path']) ?? str(a['http.target'])?.split('?')[0];
  const full = str(a['url.full']) ?? str(a['http.url']);
  if (!path && full) {
    try {
      path = new URL(full).pathname;
    } catch {
      /* not a URL: no path */
    }
  }
  const method = str(a['http.request.method']) ?? str(a['http.method']);
  return { route, path, method };
}

export async function appSourceForSpan(span: Span, ctx: MapContext): Promise<AppSourceResult> {
  const reasons: string[] = [];
  const more: SourceRef[] = [];
  let main: AppSourceResult | undefined;

  const loc = codeAttributes(span.attributes ?? {});
  if (loc) {
    const r = await fromCodeAttrs(span, loc, ctx);
    if (r.source) main = r;
    else {
      if (r.reason) reasons.push(r.reason);
      more.push(...(r.candidates ?? []));
    }
  }
  const st = await fromStack(span, ctx);
  if (st.reason) reasons.push(st.reason);
  if (st.refs.length) {
    if (!main || span.status === 'error') {
      if (main?.source) more.unshift(main.source);
      main = {
        source: st.refs[0],
        confidence: st.confidence ?? 'medium',
        via: 'stacktrace',
        ...(st.note ? { note: st.note } : {}),
      };
      more.push(...st.refs.slice(1));
    } else more.push(...st.refs);
  }
  if (!main) {
    const q = routeQuery(span);
    const serverish = span.kind === 'server' || (span.kind !== 'client' && !!q.route);
    if (serverish && (q.route || q.path)) {
      const rq = { ...q, names: [span.service, deploymentOf(span)].filter((n): n is string => !!n) };
      const key = `routes\0${JSON.stringify(rq)}`;
      let found = ctx.memo?.get(key) as ReturnType<typeof findRoutes> | undefined;
      if (!found) {
        found = findRoutes(rq, ctx.workspaceFolders);
        ctx.memo?.set(key, found);
      }
      const hits = await found;
      if (hits.length) {
        const top = hits[0];
        const confidence = confidenceOf(hits);
        const others = hits.length - 1;
        const note =
          `found from the ${q.route ? 'route' : 'request path'}: ${top.how} in ${top.def.framework} code ` +
          `(${confidence} confidence${others ? `; ${others} other candidate${others > 1 ? 's' : ''}` : ''})`;
        main = { source: appRef(top.file, top.def.line, top.def.function), confidence, via: 'route', note };
        more.push(...hits.slice(1, MAX_MORE).map((h) => appRef(h.file, h.def.line, h.def.function)));
      } else {
        reasons.push(`no route handler for ${q.method ? q.method + ' ' : ''}${q.route ?? q.path} in the workspace`);
      }
    } else if (!loc && !st.refs.length) {
      reasons.push(
        span.kind === 'client'
          ? 'an outgoing call without code.* attributes or a stack trace'
          : 'the span has no code.* attributes, stack trace or http.route',
      );
    }
  }
  const moreSources = dedupe(more, main?.source).slice(0, MAX_MORE);
  if (main?.source) return { ...main, ...(moreSources.length ? { moreSources } : {}) };
  if (!ctx.workspaceFolders.length) reasons.push('no workspace folder is open');
  return {
    reason: reasons.join('; ') || 'no source location is known for this span',
    ...(moreSources.length ? { moreSources } : {}),
  };
}

function dedupe(refs: SourceRef[], main?: SourceRef): SourceRef[] {
  const seen = new Set(main ? [`${main.path}:${main.line}`] : []);
  return refs.filter((r) => {
    const k = `${r.path}:${r.line}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
