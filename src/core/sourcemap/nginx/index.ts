/*
 * nginx source mapping: span -> nginx C source, and the nginx execution path from debug lines.
 * Paths in SourceRefs are absolute inside the tree when one is given, tree-relative
 * (`src/http/ngx_http_request.c`) when not. Line numbers always come from the source files.
 * The reference source is the upstream release tarball; distribution builds (e.g. Debian's
 * 1.22.1) carry a few patches, so a handful of lines can differ from what the binary runs
 * (`http process request line` is line 1064 upstream, 1096 in Debian's tree). Expected.
 *
 * Exported API:
 *
 *   interface NginxSourceTree { root: string; version?: string }      // root holds src/http/...
 *   nginxSourceForSpan(span: Span, tree?: NginxSourceTree, opts?: { missingTreeReason?: string })
 *     : { source?: SourceRef; moreSources?: SourceRef[]; sourceReason?: string }
 *       // sync (files read once, cached); {} for spans that are not nginx's
 *   resolveNginxSourceForSpan(span, tree?, opts?): Promise<same>                   // async reads
 *   nginxEntryForSpan(span): { entry: { main, more }, location? } | undefined       // no I/O
 *   isNginxOtelSpan(span): boolean
 *   resolveFunctionLine(tree, file, fn): Promise<number | undefined>                 // cached per file
 *   resolveFunctionRange(tree, file, fn): Promise<{ name, line, endLine? } | undefined>
 *   stepsFromDebugLog(lines: Iterable<string>, requestId: string, tree?: NginxSourceTree)
 *     : Promise<{ connection?: string; steps: Step[]; diagnostics: Diagnostic[] }>
 *       // connection is N of `*N`; steps in log order, each with `phase` (NGINX_PHASES);
 *       // lines may carry a kubectl RFC 3339 prefix; access-log lines in between are fine;
 *       // without a tree: steps without sources plus an info diagnostic
 *   class NginxSourceCache {
 *     constructor({ cacheDir, downloadBaseUrl?, fetch?, onProgress? })
 *     ensure(version, signal?): Promise<NginxSourceTree & { version, tarball, warning? }>
 *     cached(version): Promise<... | undefined>                                     // never downloads
 *   }
 *   detectNginxVersion({ nginxVOutput?, controllerImage?, serverHeader?, setting? })
 *     : { version?: string; from?: 'exec'|'image'|'server-header'|'setting'; reason?: string }
 *       // the setting overrides detection (docs/ARCHITECTURE.md Settings); then exec, image, Server header
 *   findNginxSourceTree(candidates: string[], wantVersion?): Promise<NginxSourceTree | undefined>
 *   NGINX_SHA256: Record<string, string>                                          // pinned tarball hashes
 *   stepGroups(steps): { phase, start, end }[]         // consecutive runs, for `nginx.<phase>` spans
 *   NGINX_PHASE_INDEX, phaseEntry(name), allIndexedFunctions(), NGINX_PHASES
 */
export type { NginxSourceTree } from './source-tree';
export { findNginxSourceTree, isNginxSourceTree, treeVersion } from './source-tree';
export { resolveFunctionLine, resolveFunctionRange, parseFunctionDefs, type FunctionRange } from './functions';
export {
  nginxSourceForSpan,
  resolveNginxSourceForSpan,
  nginxEntryForSpan,
  isNginxOtelSpan,
  type NginxSpanSource,
  type NginxSpanOptions,
} from './span';
export {
  NGINX_PHASE_INDEX,
  PROXY_HANDLER,
  phaseEntry,
  phaseKey,
  allIndexedFunctions,
  indexCovers,
  type NginxFn,
  type PhaseEntry,
} from './phases';
export { stepsFromDebugLog, stepGroups, type DebugStepsResult } from './steps';
export { NGINX_PHASES, type NginxPhase } from './debug-phase';
export {
  NginxSourceCache,
  DEFAULT_NGINX_DOWNLOAD_BASE,
  type NginxDownloadProgress,
  type NginxSourceCacheOptions,
  type CachedNginxSourceTree,
} from './download';
export { NGINX_SHA256 } from './checksums';
export { detectNginxVersion, imageTag, type NginxVersionEvidence, type DetectedNginxVersion } from './version';
export { nginxForController, INGRESS_NGINX_RELEASES } from './ingress-versions';
export { NGINX_PINS, type NginxPin } from './checksums';
export {
  nginxForImage,
  tabledNginxVersions,
  CONTROLLER_LABEL,
  type NginxController,
  type ImageNginx,
} from './controller-versions';
export {
  ensurePatchedTree,
  patchSetFor,
  patchedTreeLabel,
  applyPatchFile,
  INGRESS_NGINX_PATCH_SETS,
  type PatchSet,
  type PatchedTree,
} from './ingress-patches';
export { moduleLine } from './modules';
