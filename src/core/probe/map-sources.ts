// After a probe: find the nginx source tree, fill the nginx span's execution path from the debug lines,
// then give every span its source (src/core/sourcemap).
import { resolveErrorEventSources } from '../sourcemap/nginx/error-sites';
import { sandboxInfo } from '../kube/sandbox';
import { execInPod } from '../kube/exec';
import type { LoadedKubeconfig } from '../kube/load';
import { allowedRootsFor } from '../sourcemap/roots';
import { resolveSources } from '../sourcemap';
import {
  detectNginxVersion,
  ensurePatchedTree,
  findNginxSourceTree,
  patchSetFor,
  NginxSourceCache,
  stepsFromDebugLog,
  type NginxDownloadProgress,
  type NginxSourceTree,
} from '../sourcemap/nginx';
import { errorMessage } from '../errors';
import { otherProxySpanIds } from '../sourcemap/proxy-spans';
import { findHaproxySourceTree, haproxyVersionFromV, type HaproxySourceTree } from '../sourcemap/haproxy';
import { forGatewayController, forIngressController } from '../controllers';
import type { Trace } from '../trace/model';
import type { ProbeOutcome } from './run';

export interface MapOptions {
  workspaceFolders: string[];
  pathMappings?: Record<string, string>;
  workloadFolders?: Record<string, string>;
  /** An nginx source tree given by the user (setting or --nginx-source). */
  nginxSource?: string;
  /** An HAProxy source tree, or a folder of them by version (CLI: --haproxy-source; scripts/fetch-haproxy-source.sh). */
  haproxySource?: string;
  /** Extra places that may hold an already downloaded tree (the extension's storage, the repo's test cache). */
  nginxCandidates?: string[];
  nginxVersionSetting?: string;
  nginxConfDir?: string;
  kubeconfigFile?: string;
  /** The cluster, to ask the controller pod for `nginx -v` (the first way to learn the nginx version). */
  config?: LoadedKubeconfig;
  /** Where to download the release tarball of the detected version when no tree is found (VS Code's storage). */
  download?: {
    cacheDir: string;
    baseUrl?: string;
    onProgress?: (p: NginxDownloadProgress) => void;
    signal?: AbortSignal;
  };
}

export async function mapProbeSources(outcome: ProbeOutcome, o: MapOptions): Promise<Trace> {
  const trace = outcome.trace;
  const pod = outcome.controllerLog.pod;
  let nginxVOutput: string | undefined;
  // The controller's spans came from another proxy's log (HAProxy's): its pod has no nginx to ask or to download.
  const otherProxy = otherProxySpanIds(trace.spans).size > 0;
  if (pod && o.config && !o.nginxVersionSetting && !otherProxy) {
    try {
      const r = await execInPod(
        o.config,
        pod.metadata.namespace ?? 'ingress-nginx',
        pod.metadata.name,
        pod.spec?.containers?.[0]?.name ?? 'controller',
        ['nginx', '-v'],
        { timeoutMs: 3000, maxBytes: 4096 },
      );
      nginxVOutput = r.stderr + r.stdout; // nginx -v prints to stderr
    } catch {
      /* no pods/exec permission, or no nginx binary: the image tag or Server header will do */
    }
  }
  const version = detectNginxVersion({
    nginxVOutput,
    controllerImage: pod?.spec?.containers?.[0]?.image,
    serverHeader: outcome.response.headers.server,
    setting: o.nginxVersionSetting,
  });
  const candidates = [o.nginxSource, ...o.workspaceFolders, ...(o.nginxCandidates ?? [])].filter(
    (c): c is string => !!c,
  );
  let tree: NginxSourceTree | undefined = await findNginxSourceTree(candidates, version.version);
  let reason: string | undefined;
  if (!tree && version.version && o.download && !otherProxy) {
    const cache = new NginxSourceCache({
      cacheDir: o.download.cacheDir,
      downloadBaseUrl: o.download.baseUrl,
      onProgress: o.download.onProgress,
    });
    try {
      const got = await cache.ensure(version.version, o.download.signal);
      tree = got;
      if (got.warning)
        trace.diagnostics.push({ code: 'nginx-source-unverified', severity: 'warning', message: got.warning });
    } catch (e) {
      reason =
        `the nginx ${version.version} source could not be downloaded ` +
        `(${errorMessage(e)}): set kubetrace.nginx.sourcePath to a local tree`;
    }
  }
  // ingress-nginx runs nginx with its own patch set: map lines in the patched tree (made once in the cache).
  const release = version.controller === 'ingress-nginx' ? version.controllerRelease : undefined;
  if (tree?.version && o.download && patchSetFor(release, tree.version)) {
    try {
      tree = await ensurePatchedTree({ ...tree, version: tree.version }, release!, {
        cacheDir: o.download.cacheDir,
        signal: o.download.signal,
      });
      trace.diagnostics.push({
        code: 'nginx-source-patched',
        severity: 'info',
        message: `nginx lines are those of ${tree.label}, the source the controller's binary was built from`,
      });
    } catch (e) {
      trace.diagnostics.push({
        code: 'nginx-patches-unapplied',
        severity: 'warning',
        message:
          `ingress-nginx v${release} patches could not be applied (${errorMessage(e)}); lines are those of ` +
          `plain nginx ${tree.version}, and a few may differ from what the controller runs`,
      });
    }
  }
  if (!tree && !reason)
    reason =
      `no nginx source tree${version.version ? ` for nginx ${version.version}` : ''} is available: set kubetrace.nginx.sourcePath ` +
      `(CLI: --nginx-source DIR)`;
  const sandbox = sandboxInfo(o.config);
  if (sandbox?.refused)
    trace.diagnostics.push({ code: 'sandbox-metadata-refused', severity: 'warning', message: sandbox.refused });
  const nginxConfDir = o.nginxConfDir ?? sandbox?.nginxConfDir;
  const nginxSpan = trace.spans.find((s) => s.name === 'nginx' && s.layer === 'ingress');
  if (nginxSpan && tree && outcome.controllerLog.lines.length) {
    const controller = nginxSpan.attributes['kubetrace.controller'];
    const module =
      typeof controller === 'string'
        ? (forIngressController(controller) ?? forGatewayController(controller))
        : undefined;
    const steps = await stepsFromDebugLog(outcome.controllerLog.lines, trace.traceId, tree, module?.debugLog);
    if (steps.steps.length) nginxSpan.steps = steps.steps;
    trace.diagnostics.push(...steps.diagnostics);
  }
  // nginx error lines attached as events open the ngx_log_error call that printed them.
  if (tree) await resolveErrorEventSources(trace, tree);
  const haproxy = await haproxyTree(outcome, o);
  const allowedRoots = allowedRootsFor({
    workspaceFolders: o.workspaceFolders,
    nginxSourceCache: tree?.root,
    nginxSourcePath: o.nginxSource,
    sandboxConfDir: nginxConfDir,
    haproxySource: haproxy?.tree?.root,
  });
  return resolveSources(trace, {
    workspaceFolders: o.workspaceFolders,
    pathMappings: o.pathMappings,
    workloadFolders: o.workloadFolders,
    nginx: { tree, reason },
    ...(haproxy ? { haproxy } : {}),
    nginxConfDir,
    allowedRoots,
    ingressObjects: outcome.ingresses,
  });
}

/**
 * For a trace with HAProxy's log spans: the version its pod runs (`haproxy -v` through exec, as the registry says)
 * and the source tree of that version among the given folders, or why there is none.
 */
async function haproxyTree(
  outcome: ProbeOutcome,
  o: MapOptions,
): Promise<{ tree?: HaproxySourceTree; reason?: string; version?: string } | undefined> {
  const server = outcome.trace.spans.find(
    (s) => s.layer === 'ingress' && s.kind === 'server' && s.attributes['kubetrace.log.format'] === 'haproxy-httplog',
  );
  if (!server) return undefined;
  const controller = server.attributes['kubetrace.controller'];
  const module =
    typeof controller === 'string' ? (forIngressController(controller) ?? forGatewayController(controller)) : undefined;
  if (module && module.source.tree !== 'haproxy')
    return { reason: module.source.tree === 'none' ? module.source.reason : `${module.title} is not HAProxy` };
  let version: string | undefined;
  const pod = outcome.controllerLog.pod;
  const exec = module?.version.exec ?? ['haproxy', '-v'];
  if (pod && o.config) {
    try {
      const container = module?.accessLog.container;
      const names = pod.spec?.containers?.map((c) => c.name) ?? [];
      const r = await execInPod(
        o.config,
        pod.metadata.namespace ?? 'default',
        pod.metadata.name,
        container && names.includes(container) ? container : (names[0] ?? 'haproxy'),
        exec,
        { timeoutMs: 3000, maxBytes: 4096 },
      );
      version = haproxyVersionFromV(r.stdout + r.stderr);
    } catch {
      /* no exec permission or no haproxy binary in that container: the version stays unknown */
    }
  }
  const candidates = [o.haproxySource, ...o.workspaceFolders].filter((c): c is string => !!c);
  const tree = findHaproxySourceTree(candidates, version);
  if (tree) return { tree, ...(version ? { version } : {}) };
  const which = version ? `HAProxy ${version}` : 'HAProxy (its version is unknown: `haproxy -v` gave none)';
  return {
    ...(version ? { version } : {}),
    reason:
      `no source tree for ${which} was found: pass --haproxy-source DIR, or set kubetrace.haproxy.sourcePath in ` +
      'VS Code (a tree, or a folder of <version>/ trees as scripts/fetch-haproxy-source.sh makes them)',
  };
}
