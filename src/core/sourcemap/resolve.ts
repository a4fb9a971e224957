// The top-level resolver: every span of a trace gets a `source` (plus `moreSources`) or a `sourceReason`, never neither.
// nginx spans go to the nginx module (C source) and, for the request span, to the routing module (Ingress rule,
// nginx location); everything else goes to the app module. Work that is per file or per distinct request is memoised
// for the run, so a 10,000-span trace costs little more than its distinct files.
import type { Diagnostic, SourceRef, Span, Trace } from '../trace/model';
import { appSourceForSpan, type AppSourceResult } from './app';
import type { MapContext } from './app/pathmap';
import { isNginxOtelSpan, nginxEntryForSpan, nginxSourceForSpan, type NginxSourceTree } from './nginx';
import { checkAllowed, type AllowedCheck } from './roots';
import { routingSourcesForSpan, type Ingress, type RoutingResult } from './routing';
import { appKey, ingressKey } from './resolve-key';
import { errorMessage } from '../errors';
import { otherProxySpanFormats } from './proxy-spans';
import { haproxySourceForSpan, type HaproxySourceTree } from './haproxy';

export interface SourcemapContext {
  workspaceFolders: string[];
  pathMappings?: Record<string, string>;
  workloadFolders?: Record<string, string>;
  nginx?: { tree?: NginxSourceTree; reason?: string };
  /** HAProxy's source tree for the spans made from its log; `version` is what the controller runs. */
  haproxy?: { tree?: HaproxySourceTree; reason?: string; version?: string };
  nginxConfDir?: string;
  ingressObjects?: Ingress[];
  allowedRoots: string[];
}

const isRoutingSpan = (s: Span) =>
  (s.layer === 'ingress' && s.kind === 'server' && (s.name === 'nginx' || s.origin !== 'probe')) || isNginxOtelSpan(s);

type Checker = (path: string) => AllowedCheck;

/** An nginx ref must open inside the allowed roots; one that cannot keeps its function as a plain label. */
function vetNginx(ref: SourceRef | undefined, check: Checker, reasons: string[]): SourceRef | undefined {
  if (!ref || !ref.path.startsWith('/')) return ref;
  const ok = check(ref.path);
  if (ok.ok) return { ...ref, path: ok.real };
  reasons.push(`nginx source ${ref.path}: ${ok.reason}`);
  const { line: _l, endLine: _e, ...rest } = ref;
  return { ...rest, path: ref.path.replace(/^.*?\/(src\/(?:http|event|core|stream|mail|os)\/)/, '$1') };
}

async function ingressSpan(
  span: Span,
  ctx: SourcemapContext,
  routing: (s: Span) => Promise<RoutingResult>,
  check: Checker,
): Promise<Partial<Span>> {
  const reasons: string[] = [];
  const tree = ctx.nginx?.tree;
  const n = nginxSourceForSpan(span, tree, ctx.nginx?.reason ? { missingTreeReason: ctx.nginx.reason } : undefined);
  if (n.sourceReason) reasons.push(n.sourceReason);
  const source = vetNginx(n.source, check, reasons);
  // The nginx module names an OTel span's location as a pseudo-path ("/orders"); the routing module links the real block.
  const more = (n.moreSources ?? [])
    .filter((r) => r.kind !== 'nginx-conf' || (r.path.startsWith('/') && r.path.endsWith('.conf')))
    .map((r) => vetNginx(r, check, reasons))
    .filter((r): r is SourceRef => !!r);
  let routed: SourceRef[] = [];
  if (isRoutingSpan(span)) {
    try {
      const r = await routing(span);
      routed = r.refs;
      if (!r.refs.some((x) => x.kind === 'ingress-yaml')) reasons.push(...r.reasons);
    } catch (e) {
      reasons.push(`the Ingress rule could not be looked up: ${errorMessage(e)}`);
    }
  }
  const main = source ?? routed[0];
  const moreSources = [...routed.filter((r) => r !== main), ...more];
  const out: Partial<Span> = {};
  if (main) out.source = main;
  if (moreSources.length) out.moreSources = moreSources;
  if (reasons.length || !main)
    out.sourceReason = reasons.join('; ') || 'no nginx source or routing config is known for this span';
  return out;
}

/** A span from HAProxy's log: the function of its phase in HAProxy's source, opened only inside the allowed roots. */
function haproxySpan(span: Span, ctx: SourcemapContext, check: Checker): Partial<Span> {
  const h = ctx.haproxy;
  const r = haproxySourceForSpan(span, h?.tree, h?.reason, h?.version);
  const reasons = r.sourceReason ? [r.sourceReason] : [];
  const vet = (ref: SourceRef): SourceRef => {
    if (!ref.path.startsWith('/')) return ref;
    const ok = check(ref.path);
    if (ok.ok) return { ...ref, path: ok.real };
    if (!reasons.some((x) => x.startsWith('HAProxy source '))) reasons.push(`HAProxy source ${ref.path}: ${ok.reason}`);
    const { line: _l, endLine: _e, ...rest } = ref;
    return { ...rest, path: ref.path.replace(/^.*\/(src\/[^/]+)$/, '$1') };
  };
  const out: Partial<Span> = {};
  if (r.source) out.source = vet(r.source);
  if (r.moreSources?.length) out.moreSources = r.moreSources.map(vet);
  if (reasons.length) out.sourceReason = reasons.join('; ');
  return out;
}

const HOST_KEYS = [
  'server.address',
  'http.host',
  'http.request.header.host',
  'net.host.name',
  'http.server_name',
  'url.full',
];
const isIp = (h: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');

/**
 * The access log has no Host, but the probe span above the nginx span knows the Host it sent: lend it for rule
 * matching (the output span is not changed). An IP is no help: rules match host names.
 */
function withClientHost(span: Span, parentOf: (id: string) => Span | undefined): Span {
  const a = span.attributes ?? {};
  if (!isRoutingSpan(span)) return span;
  for (const k of HOST_KEYS) if (typeof a[k] === 'string' && a[k]) return span;
  let p = span.parentSpanId ? parentOf(span.parentSpanId) : undefined;
  for (let hops = 0; p && hops < 8; hops++, p = p.parentSpanId ? parentOf(p.parentSpanId) : undefined) {
    if (p.layer !== 'client') continue;
    const h = p.attributes?.['server.address'];
    if (typeof h === 'string' && h && !isIp(h)) return { ...span, attributes: { ...a, 'server.address': h } };
  }
  return span;
}

function appFields(span: Span, r: AppSourceResult): Partial<Span> {
  const out: Partial<Span> = {};
  if (r.source) {
    out.source = r.source;
    out.attributes = {
      ...span.attributes,
      'kubetrace.source.confidence': r.confidence ?? 'medium',
      'kubetrace.source.via': r.via ?? 'unknown',
    };
    if (r.note) out.sourceReason = r.note;
  } else out.sourceReason = r.reason ?? 'no source location is known for this span';
  if (r.moreSources?.length) out.moreSources = r.moreSources;
  return out;
}

export async function resolveSources(trace: Trace, ctx: SourcemapContext): Promise<Trace> {
  const memo = new Map<string, Promise<unknown>>();
  const mapCtx: MapContext = {
    workspaceFolders: ctx.workspaceFolders ?? [],
    allowedRoots: ctx.allowedRoots ?? [],
    memo,
    ...(ctx.pathMappings ? { pathMappings: ctx.pathMappings } : {}),
    ...(ctx.workloadFolders ? { workloadFolders: ctx.workloadFolders } : {}),
  };
  // Thousands of spans name the same few files: check each path once per run.
  const allowedMemo = new Map<string, AllowedCheck>();
  const check: Checker = (p) => {
    let r = allowedMemo.get(p);
    if (!r) {
      r = checkAllowed(p, mapCtx.allowedRoots);
      allowedMemo.set(p, r);
    }
    return r;
  };
  const routingCtx = {
    workspaceFolders: mapCtx.workspaceFolders,
    allowedRoots: mapCtx.allowedRoots,
    ingressObjects: ctx.ingressObjects,
    nginxConfDir: ctx.nginxConfDir,
    allowedMemo,
  };
  const routing = (s: Span) => {
    const a = s.attributes ?? {};
    const key =
      `route\0${a['server.address'] ?? a['http.host'] ?? ''}\0${a['url.path'] ?? a['http.target'] ?? ''}` +
      `\0${a['nginx.proxy_upstream_name'] ?? ''}\0${a['nginx.ingress_name'] ?? ''}\0${a['url.full'] ?? ''}`;
    let p = memo.get(key) as Promise<RoutingResult> | undefined;
    if (!p) {
      p = routingSourcesForSpan(s, routingCtx);
      memo.set(key, p);
    }
    return p;
  };
  const diagnostics: Diagnostic[] = [];
  let noWorkspace = 0;
  let byId: Map<string, Span> | undefined;
  const parentOf = (id: string) => (byId ??= new Map((trace.spans ?? []).map((s) => [s.spanId, s]))).get(id);

  // Spans that look alike to the mapper (same code location, stack, route, nginx phase, request) share one
  // computation: a 10,000-span trace usually has a few hundred distinct ones. No closure per span: this loop is hot.
  type Kind = 'ingress' | 'haproxy' | 'proxy' | 'app' | 'probe' | 'failed';
  const tasks = new Map<string, { kind: Kind; span: Span; error?: unknown }>();
  const otherProxy = otherProxySpanFormats(trace.spans ?? []);
  const keys = (trace.spans ?? []).map((span) => {
    let key: string;
    let kind: Kind;
    let subject = span;
    try {
      // HAProxy's, Envoy's and Traefik's log spans share nginx's span names, not its code.
      const format = otherProxy.get(span.spanId);
      if (format === 'haproxy-httplog') {
        kind = 'haproxy';
        key = `haproxy\0${span.name}`;
      } else if (format !== undefined) {
        kind = 'proxy';
        key = `proxy\0${span.service}`;
      } else if (nginxEntryForSpan(span)) {
        subject = withClientHost(span, parentOf);
        kind = 'ingress';
        key = ingressKey(subject, isRoutingSpan(subject));
      } else if (span.origin === 'probe' || (span.layer === 'client' && span.service === 'client')) {
        kind = 'probe';
        key = 'probe';
      } else {
        kind = 'app';
        key = appKey(span);
      }
    } catch (error) {
      key = `failed\0${span.spanId}`;
      tasks.set(key, { kind: 'failed', span, error });
      return key;
    }
    if (!tasks.has(key)) tasks.set(key, { kind, span: subject });
    return key;
  });
  const results = new Map<string, { kind: Kind; value?: Partial<Span> | AppSourceResult; error?: unknown }>();
  await Promise.all(
    [...tasks].map(async ([key, t]) => {
      try {
        if (t.kind === 'failed') throw t.error;
        const value =
          t.kind === 'ingress'
            ? await ingressSpan(t.span, ctx, routing, check)
            : t.kind === 'app'
              ? await appSourceForSpan(t.span, mapCtx)
              : t.kind === 'haproxy'
                ? haproxySpan(t.span, ctx, check)
                : t.kind === 'proxy'
                  ? {
                      sourceReason:
                        `made from ${t.span.service}'s access log: Kubetrace maps only nginx's and HAProxy's spans to ` +
                        "their source, not this proxy's",
                    }
                  : { sourceReason: 'made by the Kubetrace probe on this machine: there is no source to open' };
        results.set(key, { kind: t.kind, value });
      } catch (error) {
        results.set(key, { kind: t.kind, error });
      }
    }),
  );

  const spans = (trace.spans ?? []).map((span, i): Span => {
    const r = results.get(keys[i])!;
    let fields: Partial<Span>;
    if (r.error !== undefined) {
      // A bug here must not cost the user the trace: the span keeps a reason and the rest are mapped.
      fields = {
        sourceReason: `source mapping failed: ${errorMessage(r.error)}`,
      };
    } else if (r.kind === 'app') {
      const app = r.value as AppSourceResult;
      if (!app.source && !mapCtx.workspaceFolders.length) noWorkspace++;
      fields = appFields(span, app);
    } else if (r.kind === 'probe') {
      fields = span.source || span.sourceReason ? {} : (r.value as Partial<Span>);
    } else fields = r.value as Partial<Span>;
    // Which nginx tree the line is in, when it is not a plain release (ingress-nginx's patched build).
    const label = r.kind === 'ingress' && fields.source?.kind === 'nginx' ? ctx.nginx?.tree?.label : undefined;
    if (label) fields = { ...fields, attributes: { ...span.attributes, 'kubetrace.nginx.source_tree': label } };
    // Results are shared between alike spans: treat `source` and `moreSources` as read-only.
    const out: Span = { ...span, ...fields };
    if (!out.source && !out.sourceReason) out.sourceReason = 'no source location is known for this span';
    return out;
  });

  if (noWorkspace) {
    diagnostics.push({
      code: 'sourcemap.no-workspace',
      severity: 'info',
      message: `${noWorkspace} app span${noWorkspace > 1 ? 's have' : ' has'} no source: no workspace folder was given`,
      hint: "open the app's folder in VS Code, or pass --workspace DIR to the CLI",
    });
  }
  return { ...trace, spans, diagnostics: [...(trace.diagnostics ?? []), ...diagnostics] };
}
