// After a probe: find the nginx source tree, fill the nginx span's execution path from the debug lines,
// then give every span its source (src/core/sourcemap).
import { sandboxInfo } from '../kube/sandbox';
import { allowedRootsFor } from '../sourcemap/roots';
import { resolveSources } from '../sourcemap';
import { detectNginxVersion, findNginxSourceTree, stepsFromDebugLog, type NginxSourceTree } from '../sourcemap/nginx';
import type { Trace } from '../trace/model';
import type { ProbeOutcome } from './run';

export interface MapOptions {
  workspaceFolders: string[];
  pathMappings?: Record<string, string>;
  workloadFolders?: Record<string, string>;
  /** An nginx source tree given by the user (setting or --nginx-source). */
  nginxSource?: string;
  /** Extra places that may hold an already downloaded tree (the extension's storage, the repo's test cache). */
  nginxCandidates?: string[];
  nginxVersionSetting?: string;
  nginxConfDir?: string;
  kubeconfigFile?: string;
}

export async function mapProbeSources(outcome: ProbeOutcome, o: MapOptions): Promise<Trace> {
  const trace = outcome.trace;
  const pod = outcome.controllerLog.pod;
  const version = detectNginxVersion({
    controllerImage: pod?.spec?.containers?.[0]?.image,
    serverHeader: outcome.response.headers.server,
    setting: o.nginxVersionSetting,
  });
  const candidates = [o.nginxSource, ...o.workspaceFolders, ...(o.nginxCandidates ?? [])].filter((c): c is string => !!c);
  let tree: NginxSourceTree | undefined = await findNginxSourceTree(candidates);
  let reason: string | undefined;
  if (!tree) reason = `no nginx source tree${version.version ? ` for nginx ${version.version}` : ''} is available: set kubetrace.nginx.sourcePath (CLI: --nginx-source DIR)`;
  const sandbox = sandboxInfo(o.kubeconfigFile);
  const nginxConfDir = o.nginxConfDir ?? sandbox?.nginxConfDir;
  const nginxSpan = trace.spans.find((s) => s.name === 'nginx' && s.layer === 'ingress');
  if (nginxSpan && tree && outcome.controllerLog.lines.length) {
    const steps = await stepsFromDebugLog(outcome.controllerLog.lines, trace.traceId, tree);
    if (steps.steps.length) nginxSpan.steps = steps.steps;
    trace.diagnostics.push(...steps.diagnostics);
  }
  const allowedRoots = allowedRootsFor({ workspaceFolders: o.workspaceFolders, nginxSourceCache: tree?.root, nginxSourcePath: o.nginxSource, sandboxConfDir: nginxConfDir });
  return resolveSources(trace, {
    workspaceFolders: o.workspaceFolders, pathMappings: o.pathMappings, workloadFolders: o.workloadFolders,
    nginx: { tree, reason }, nginxConfDir, allowedRoots, ingressObjects: outcome.ingresses as never,
  });
}
