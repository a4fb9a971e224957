/*
 * Source mapping: span -> the place to open (docs/ARCHITECTURE.md "Trace model"). No vscode import.
 *
 * Exported API:
 *
 *   interface SourcemapContext {
 *     workspaceFolders: string[];                  // absolute
 *     pathMappings?: Record<string, string>;       // container path prefix -> local folder (${workspaceFolder} already expanded)
 *     workloadFolders?: Record<string, string>;    // Deployment name -> local folder
 *     nginx?: { tree?: NginxSourceTree; reason?: string };
 *     nginxConfDir?: string;                       // the sandbox's generated nginx config (read-only root)
 *     ingressObjects?: Ingress[];                  // live Ingresses; without them, the workspace's manifests are used
 *     allowedRoots: string[];                      // allowedRootsFor(...): workspace folders, nginx source cache,
 *                                                  // nginx.sourcePath, sandbox conf dir
 *   }
 *   resolveSources(trace, ctx): Promise<Trace>
 *     // A new Trace (the input is not changed); every span has `source` and/or `sourceReason` (never neither),
 *     // `moreSources` where useful. Existing `steps` are kept (the probe fills them with stepsFromDebugLog).
 *     // Alike spans share their SourceRef objects and moreSources arrays: treat them as read-only.
 *     //  - ingress spans: nginx C function (src/core/sourcemap/nginx); the request span also links the matched
 *     //    Ingress rule ({kind:'ingress-yaml'} in the workspace, else `kubetrace-live:/<ns>/<name>.yaml`) and the
 *     //    nginx.conf `location` ({kind:'nginx-conf'}) in moreSources.
 *     //  - app spans: code.* attributes (stable + deprecated), else stack-trace frames (exception events,
 *     //    code.stacktrace), else the route handler (http.route / method + path). For an error span the throw site
 *     //    wins and the span's code location moves to moreSources. Container paths map through pathMappings,
 *     //    workloadFolders, then the longest suffix match; ambiguity is reported, never guessed.
 *     //  - app spans with a source get attributes `kubetrace.source.confidence` (high|medium|low) and
 *     //    `kubetrace.source.via` (code-attributes|stacktrace|route); an uncertain one says how in sourceReason.
 *   checkAllowed(path, roots): { ok: true; real } | { ok: false; reason }   // the VS Code adapter calls it before opening
 *   allowedRootsFor({ workspaceFolders, nginxSourceCache?, nginxSourcePath?, sandboxConfDir? }): string[]
 *   isLivePath(path) / LIVE_SCHEME ('kubetrace-live:')                     // virtual read-only documents
 *   renderLiveIngressYaml(obj): string     // the exact text whose lines `kubetrace-live:` refs point into
 *   liveIngressPath(obj): string
 *   parseStack(text): Frame[]              // Node, Python, Java, Go; innermost first; `library` marks runtime/3rd-party frames
 *   codeAttributes(attrs): CodeLocation | null
 *   mapContainerPath(path, ctx, hints?): Promise<MapResult>
 *   findRoutes(query, workspaceFolders): Promise<RouteHit[]>
 *   matchIngressRule(ingresses, { host?, path?, upstream? }): RuleMatch | null
 *   findNginxLocation(confDir, host, path, upstream?): Promise<ConfLocation | null>
 *   parseYaml(text) / findObject / ingressPathLine / keyPathLine      // YAML locator (exact lines via LineCounter)
 *   clearSourcemapCaches()                 // forget cached listings and file texts (tests, settings changes)
 */
import { clearWorkspaceCaches } from './app/workspace';
import { clearRootCache } from './roots';

export { resolveSources, type SourcemapContext } from './resolve';
export {
  checkAllowed,
  allowedRootsFor,
  isLivePath,
  isInside,
  LIVE_SCHEME,
  type AllowedCheck,
  type RootInputs,
} from './roots';
export {
  renderLiveIngressYaml,
  liveIngressPath,
  matchIngressRule,
  findNginxLocation,
  parseNginxConf,
  parseYaml,
  findObject,
  ingressPathLine,
  keyPathLine,
  type Ingress,
  type RuleMatch,
  type RequestFacts,
} from './routing';
export { parseStack, isLibraryFile, type Frame, type StackLang } from './app/stack';
export { codeAttributes, stackFrames, type CodeLocation } from './app/attrs';
export { mapContainerPath, type MapResult, type MapContext, type Confidence } from './app/pathmap';
export { findRoutes, rankRoutes, type RouteHit, type RouteQuery } from './app/routes';
export { extractRoutes, type RouteDef } from './app/route-extract';
export { appSourceForSpan, deploymentOf } from './app';
export type { NginxSourceTree } from './nginx';

export function clearSourcemapCaches(): void {
  clearWorkspaceCaches();
  clearRootCache();
}
