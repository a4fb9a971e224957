// Routing spans -> the Ingress rule that matched (its manifest in the workspace, else a read-only rendering of the live
// object) and the nginx `location` block of the generated config.
import type { SourceRef, Span } from '../../trace/model';
import { checkAllowed as checkAllowedNow, type AllowedCheck } from '../roots';
import { workspaceIndex } from '../app/workspace';
import type { Ingress } from '../../kube/objects';
import { matchIngressRule, type RequestFacts, type RuleMatch } from './ingress-match';
import { liveIngressPath, renderLiveIngressYaml } from './live-yaml';
import { findManifest, manifestObjects, workspaceManifests, type ManifestHit } from './manifests';
import { findNginxLocation } from './nginx-conf';
import { ingressPathLine, keyPathLine, parseYaml, type ParsedYaml } from './yaml-locate';

export interface RoutingContext {
  workspaceFolders: string[];
  allowedRoots: string[];
  /** Per-run memo of path checks: a trace's nginx spans all point at the same manifest and nginx.conf. */
  allowedMemo?: Map<string, AllowedCheck>;
  ingressObjects?: Ingress[];
  nginxConfDir?: string;
}
export interface RoutingResult {
  refs: SourceRef[];
  reasons: string[];
  match?: RuleMatch;
}

const str = (v: unknown) => (typeof v === 'string' && v && v !== '-' ? v : undefined);

/** Host, path and upstream of an ingress span, under the names the nginx-log, OTel-module and import spans use. */
export function requestFacts(span: Span): RequestFacts {
  const a = span.attributes ?? {};
  const full = str(a['url.full']) ?? str(a['http.url']);
  let url: URL | undefined;
  if (full) {
    try {
      url = new URL(full);
    } catch {
      /* not a URL */
    }
  }
  const facts: RequestFacts = {};
  const host =
    str(a['server.address']) ??
    str(a['http.host']) ??
    str(a['http.request.header.host']) ??
    str(a['net.host.name']) ??
    str(a['http.server_name']) ??
    str(a['nginx.host']) ??
    url?.hostname;
  if (host) facts.host = host;
  const path = str(a['url.path']) ?? str(a['http.target'])?.split('?')[0] ?? str(a['nginx.uri']) ?? url?.pathname;
  if (path) facts.path = path;
  const up = str(a['nginx.proxy_upstream_name']);
  if (up) facts.upstream = up;
  const ing = str(a['nginx.ingress_name']) ?? str(a['k8s.ingress.name']);
  if (ing) facts.ingressName = ing;
  const ns = str(a['nginx.namespace']) ?? str(a['k8s.namespace.name']);
  if (ns && ing) facts.namespace = ns;
  return facts;
}

const liveCache = new WeakMap<Ingress, { text: string; parsed: ParsedYaml }>();
function live(obj: Ingress) {
  let hit = liveCache.get(obj);
  if (!hit) {
    const text = renderLiveIngressYaml(obj);
    hit = { text, parsed: parseYaml(text) };
    liveCache.set(obj, hit);
  }
  return hit;
}

function lineIn(parsed: ParsedYaml, object: ParsedYaml['objects'][number], m: RuleMatch): number | undefined {
  if (m.kind === 'defaultBackend') return keyPathLine(parsed, object, ['spec', 'defaultBackend']) ?? object.line;
  return (
    ingressPathLine(parsed, object, {
      host: m.host ?? null,
      path: m.pathValue,
      pathType: m.pathType,
      rule: m.rule,
      index: m.path,
    }) ?? object.line
  );
}

async function helmTemplate(roots: string[], source: string | undefined): Promise<string | undefined> {
  if (!source) return undefined;
  const index = await workspaceIndex(roots);
  const tail = source.replace(/^\/+/, '');
  return index.files.find((f) => f.rel === tail || f.rel.endsWith('/' + tail))?.abs;
}

export async function routingSourcesForSpan(span: Span, ctx: RoutingContext): Promise<RoutingResult> {
  const checkAllowed = (p: string, roots: string[]) => {
    let r = ctx.allowedMemo?.get(p);
    if (!r) {
      r = checkAllowedNow(p, roots);
      ctx.allowedMemo?.set(p, r);
    }
    return r;
  };
  const facts = requestFacts(span);
  const refs: SourceRef[] = [];
  const reasons: string[] = [];
  const manifests: ManifestHit[] = ctx.workspaceFolders.length ? await workspaceManifests(ctx.workspaceFolders) : [];
  const liveObjs = ctx.ingressObjects?.filter((o) => o && typeof o === 'object') ?? [];
  const fromWs = liveObjs.length ? [] : manifestObjects(manifests);
  const pool = liveObjs.length ? liveObjs : fromWs.map((x) => x.object);

  let match: RuleMatch | null = null;
  if (!facts.path && !facts.upstream)
    reasons.push('the span has no request path or upstream name to match an Ingress rule');
  else if (!pool.length) reasons.push('no Ingress objects are known (none given, none in the workspace YAML)');
  else {
    const notEvaluated: string[] = [];
    match = matchIngressRule(pool, facts, notEvaluated);
    for (const n of notEvaluated) reasons.push(`not evaluated: ${n}`);
    if (!match) {
      reasons.push(
        facts.upstream === 'upstream-default-backend'
          ? "no Ingress rule matched: the controller's default backend answered"
          : `no Ingress rule matches host ${facts.host ?? '(none)'} and path ${facts.path ?? '(none)'}`,
      );
    }
  }

  if (match) {
    const name = match.ingress.metadata?.name ?? '';
    const ns = match.ingress.metadata?.namespace;
    const ws = liveObjs.length
      ? findManifest(manifests, name, ns)
      : fromWs.find((x) => x.object === match!.ingress)?.hit;
    let added = false;
    if (ws) {
      const ok = checkAllowed(ws.file, ctx.allowedRoots);
      if (ok.ok) {
        refs.push({ kind: 'ingress-yaml', path: ok.real, line: lineIn(ws.parsed, ws.object, match) });
        added = true;
      } else reasons.push(`the manifest of Ingress ${ns ?? ''}/${name}: ${ok.reason}`);
      const tpl = await helmTemplate(ctx.workspaceFolders, ws.object.helmSource);
      if (tpl && checkAllowed(tpl, ctx.allowedRoots).ok) refs.push({ kind: 'ingress-yaml', path: tpl });
    }
    if (!added && liveObjs.includes(match.ingress)) {
      const { parsed } = live(match.ingress);
      const obj = parsed.objects[0];
      refs.push({
        kind: 'ingress-yaml',
        path: liveIngressPath(match.ingress),
        ...(obj ? { line: lineIn(parsed, obj, match) } : {}),
      });
    }
  }

  if (ctx.nginxConfDir) {
    const loc = await findNginxLocation(ctx.nginxConfDir, facts.host, facts.path ?? '/', facts.upstream);
    if (loc) {
      const ok = checkAllowed(loc.file, ctx.allowedRoots);
      if (ok.ok)
        refs.push({
          kind: 'nginx-conf',
          path: ok.real,
          line: loc.line,
          ...(loc.endLine ? { endLine: loc.endLine } : {}),
        });
      else reasons.push(`nginx config ${loc.file}: ${ok.reason}`);
    } else reasons.push(`no server/location for ${facts.host ?? '(no host)'} in ${ctx.nginxConfDir}/nginx.conf`);
  }
  return { refs, reasons, ...(match ? { match } : {}) };
}

export { renderLiveIngressYaml, liveIngressPath } from './live-yaml';
export { matchIngressRule, type RuleMatch, type RequestFacts } from './ingress-match';
export type { Ingress } from '../../kube/objects';
export { parseYaml, findObject, ingressPathLine, keyPathLine } from './yaml-locate';
export { findNginxLocation, parseNginxConf } from './nginx-conf';
