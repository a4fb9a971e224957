// The nginx execution path of one request: find the connection whose `http header:` debug line
// names the probe's X-Request-ID, take that request's lines in order, and map each to the
// ngx_log_debug call that wrote it. Steps carry order only: debug timestamps have one-second
// resolution, so no durations are made up.
import { join } from 'node:path';
import type { Diagnostic, SourceRef, Step } from '../../trace/model';
import { debugIndex, matchMessage, type DebugSite, type MatchContext } from './debug-index';
import { messageOf, parseErrorLog, requestIdOf, type LogEntry } from './debug-log';
import { PhaseTracker } from './debug-phase';
import { moduleLine } from './modules';
import type { NginxSourceTree } from './source-tree';

export interface DebugStepsResult {
  /** The connection number (`*N` without the star). */
  connection?: string;
  steps: Step[];
  diagnostics: Diagnostic[];
}

const KEEPALIVE = /^http keepalive handler/;
// nginx writes its version at startup (`[notice] 1#1: nginx/1.22.1`): the log says which nginx wrote it.
const STARTUP_VERSION = /^(?:nginx|openresty)\/(\d+\.\d+\.\d+)\s*$/;
/** Share of a request's debug lines that may match no format before the source is taken for another version's. */
export const MISMATCH_SHARE = 0.2;
const MISMATCH_MIN_LINES = 10;

export function siteRef(tree: NginxSourceTree, s: DebugSite): SourceRef {
  const r: SourceRef = { kind: 'nginx', path: join(tree.root, ...s.file.split('/')), line: s.line };
  if (s.endLine !== s.line) r.endLine = s.endLine;
  if (s.function) r.function = s.function;
  return r;
}

function bestOf(a: DebugSite[], b: DebugSite[]): DebugSite[] {
  if (!b.length) return a;
  if (!a.length) return b;
  return b[0].weight > a[0].weight ? b : a;
}

/** Entries of the request on `conn` that holds entry `hit`: keepalive connections carry several. */
function requestSegment(list: LogEntry[], hit: number): LogEntry[] {
  let start = 0;
  for (let i = hit; i >= 0; i--)
    if (KEEPALIVE.test(list[i].lines[0])) {
      start = i;
      break;
    }
  let end = list.length;
  for (let i = hit + 1; i < list.length; i++)
    if (KEEPALIVE.test(list[i].lines[0])) {
      end = i;
      break;
    }
  return list.slice(start, end);
}

/**
 * Steps of the request whose X-Request-ID is `requestId`. Without a tree the steps still come,
 * with phases and messages but no source lines, and a diagnostic says why.
 */
export async function stepsFromDebugLog(
  lines: Iterable<string>,
  requestId: string,
  tree?: NginxSourceTree,
  /** The controller's own way to turn debug lines on (src/core/controllers: `debugLog`). */
  debugHint?: string,
): Promise<DebugStepsResult> {
  const diagnostics: Diagnostic[] = [];
  const byConn = new Map<string, LogEntry[]>();
  const hits: { key: string; at: number }[] = [];
  const wanted = requestId.trim();
  let logVersion: string | undefined;
  for (const e of parseErrorLog(lines)) {
    if (!e.connection) {
      if (e.level === 'notice') logVersion = STARTUP_VERSION.exec(e.lines[0])?.[1] ?? logVersion;
      continue;
    }
    const key = `${e.pid}*${e.connection}`;
    let list = byConn.get(key);
    if (!list) byConn.set(key, (list = []));
    list.push(e);
    const id = requestIdOf(e);
    if (id !== undefined && (id === wanted || id.toLowerCase() === wanted.toLowerCase()))
      hits.push({ key, at: list.length - 1 });
  }
  if (!hits.length) {
    diagnostics.push({
      code: 'nginx-debug-no-request',
      severity: 'info',
      message: `no nginx debug line names X-Request-ID ${wanted}, so the nginx execution path is not shown`,
      hint: debugHint
        ? `nginx writes debug lines only when told to: ${debugHint}`
        : 'the controller logs debug lines only with error-log-level: debug (or debug_connection ' +
          'for the client address); ingress-nginx also needs an nginx built --with-debug',
    });
    return { steps: [], diagnostics };
  }
  const hit = hits[0];
  const others = new Set(
    hits
      .slice(1)
      .map((h) => h.key)
      .filter((k) => k !== hit.key),
  );
  if (others.size) {
    diagnostics.push({
      code: 'nginx-debug-several-requests',
      severity: 'info',
      message: `X-Request-ID ${wanted} appears on ${others.size + 1} connections; the first one (*${hit.key.split('*')[1]}) is shown`,
    });
  }
  const segment = requestSegment(byConn.get(hit.key)!, hit.at);
  const index = tree ? await debugIndex(tree) : undefined;
  const tracker = new PhaseTracker();
  const steps: Step[] = [];
  const recent: MatchContext = [];
  let unmatched = 0;
  let debugLines = 0;
  const examples: string[] = [];
  for (const e of segment) {
    const phase = tracker.next(e.lines[0]);
    const mod = e.level === 'debug' ? moduleLine(e.lines[0]) : undefined;
    if (mod) {
      // Not nginx core's: no core format can hold it, so it is neither matched nor counted as unmatched.
      steps.push({ phase: mod.phase, message: messageOf(e), module: mod.module });
      continue;
    }
    if (e.level === 'debug') debugLines++;
    if (e.level !== 'debug' || !index || !tree) {
      if (e.level === 'debug') {
        steps.push({ phase, message: messageOf(e) });
        continue;
      }
      steps.push({ phase, message: `[${e.level}] ${messageOf(e)}` });
      continue;
    }
    let sites: DebugSite[] = [];
    let message = messageOf(e);
    // Continuation lines can belong to another record written in between (a merged pod log):
    // try the longest message first, then shorter ones, until a format with literal text fits
    // (a pure `%*s` dump fits any multi-line text, so it only wins when nothing else does).
    // A few calls print `*%uA` themselves (`*1 accept: ...`), so try the message with it too.
    for (let k = e.lines.length - 1; k >= 0; k--) {
      const m = messageOf(e, k);
      const found = bestOf(
        matchMessage(index, m, recent, e.truncated),
        matchMessage(index, `*${e.connection} ${m}`, recent, e.truncated),
      );
      if (found.length && (!sites.length || found[0].weight > sites[0].weight)) {
        sites = found;
        message = m;
      }
      if (sites.length && sites[0].weight > 0) break;
    }
    const step: Step = { phase, message };
    if (sites.length) {
      step.source = siteRef(tree, sites[0]);
      if (sites.length > 1) step.ambiguous = sites.slice(1).map((s) => siteRef(tree, s));
      recent.unshift({ file: sites[0].file, line: sites[0].line, function: sites[0].function });
      if (recent.length > 8) recent.pop();
    } else {
      unmatched++;
      if (examples.length < 3) examples.push(JSON.stringify(e.lines[0].slice(0, 80)));
    }
    steps.push(step);
  }
  if (!tree) {
    diagnostics.push({
      code: 'nginx-debug-no-source',
      severity: 'info',
      message: 'the nginx execution path is shown without source lines: no nginx source tree is available',
      hint: 'set kubetrace.nginx.sourcePath (or --nginx-source), or allow the one-time source download',
    });
  }
  if (tree) diagnostics.push(...versionDiagnostics(tree, logVersion, unmatched, debugLines, examples));
  return { connection: hit.key.split('*')[1], steps, diagnostics };
}

function versionDiagnostics(
  tree: NginxSourceTree,
  logVersion: string | undefined,
  unmatched: number,
  total: number,
  examples: string[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const treeName = `nginx ${tree.version ?? '(version unknown)'} at ${tree.root}`;
  const hint =
    'point kubetrace.nginx.sourcePath (CLI: --nginx-source DIR) at the source of the nginx that runs, ' +
    'or set kubetrace.nginx.version so that version is downloaded';
  const differs = !!(logVersion && tree.version && logVersion !== tree.version);
  if (differs) {
    out.push({
      code: 'nginx-debug-version-mismatch',
      severity: 'warning',
      message:
        `the nginx debug log was written by nginx ${logVersion} (its startup line says so) but is mapped with ` +
        `the source of ${treeName}: lines that changed between the two point at the wrong place`,
      hint,
    });
  }
  if (!unmatched) return out;
  const share = unmatched / Math.max(total, 1);
  const what =
    `${unmatched} of ${total} nginx debug lines match no ngx_log_debug call in the source of ${treeName}, ` +
    `e.g. ${examples.join(', ')}`;
  if (share > MISMATCH_SHARE && total >= MISMATCH_MIN_LINES && !differs) {
    out.push({
      code: 'nginx-debug-version-mismatch',
      severity: 'warning',
      message:
        `${what}: the log looks like another nginx version's ` +
        `(${logVersion ? `nginx ${logVersion} wrote it` : 'the running version is unknown'}), so its lines are not trusted`,
      hint,
    });
  } else {
    out.push({
      code: 'nginx-debug-unmatched',
      severity: 'info',
      message: what,
      hint: 'the running nginx may be a different version, carry patches, or include third-party modules',
    });
  }
  return out;
}

/** Consecutive runs of steps in one phase, as [start, end) indexes: the `nginx.<phase>` groups. */
export function stepGroups(steps: Step[]): { phase: string; start: number; end: number }[] {
  const out: { phase: string; start: number; end: number }[] = [];
  steps.forEach((s, i) => {
    const last = out[out.length - 1];
    if (last && last.phase === s.phase) last.end = i + 1;
    else out.push({ phase: s.phase, start: i, end: i + 1 });
  });
  return out;
}
