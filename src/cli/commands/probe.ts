// `kubetrace probe NS/NAME`: one traced probe, printed as a waterfall or as Trace JSON.
import { resolve } from 'node:path';
import { bool, list, parseArgs, str } from '../args';
import { connect } from '../session';
import { requestArgs, requestFlags, sendArgs } from '../request-args';
import { UsageError } from '../../core/errors';
import { runProbe } from '../../core/probe/run';
import { parseRouteRef } from '../../core/probe/route-ref';
import { mapProbeSources } from '../../core/probe/map-sources';
import { renderWaterfall } from '../waterfall';
import { summarizeTrace } from '../../core/summary';
import { redact, redactTrace } from '../../core/redact';
import { clearLine, writeStyled } from '../terminal';

const spec = {
  ...requestFlags,
  mark: { type: 'string' },
  workspace: { type: 'string' },
  'nginx-source': { type: 'string' },
  'haproxy-source': { type: 'string' },
  'path-map': { type: 'list' },
  json: { type: 'boolean' },
  summary: { type: 'boolean' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, spec);
  const ref = p.positional[0];
  const usage = () =>
    new UsageError(
      'usage: kubetrace probe NAMESPACE/NAME [options]',
      'e.g. kubetrace probe shop/orders (or ingress/NS/NAME, httproute/NS/NAME)',
    );
  if (!ref || p.positional.length > 1 || ref.split('/').length < 2) throw usage();
  const { kind, namespace, name } = parseRouteRef(ref);
  const { headers, body, method, via } = requestArgs(p);
  const mark = str(p, 'mark');
  if (mark !== undefined && mark !== 'query') throw new UsageError(`--mark takes query, not "${mark}"`);
  const pathMappings: Record<string, string> = {};
  for (const m of list(p, 'path-map')) {
    const i = m.indexOf('=');
    if (i <= 0) throw new UsageError(`--path-map takes FROM=TO, not "${m}"`);
    pathMappings[m.slice(0, i)] = resolve(m.slice(i + 1));
  }
  if (bool(p, 'json') && bool(p, 'summary'))
    throw new UsageError('--json and --summary print different things: pick one');
  const session = await connect({ kubeconfig: str(p, 'kubeconfig'), context: str(p, 'context') });
  const json = bool(p, 'json') || bool(p, 'summary');
  const outcome = await runProbe({
    config: session.config,
    api: session.api,
    kind,
    namespace,
    name,
    ...sendArgs(p),
    method,
    headers,
    body,
    via,
    mark: mark as 'query' | undefined,
    onProgress: json
      ? undefined
      : (m) => process.stderr.isTTY && (clearLine(process.stderr), process.stderr.write(`${m}…`)),
  });
  if (!json && process.stderr.isTTY) clearLine(process.stderr);
  const workspace = str(p, 'workspace');
  const mapped = await mapProbeSources(outcome, {
    workspaceFolders: workspace ? [resolve(workspace)] : [],
    pathMappings,
    nginxSource: str(p, 'nginx-source') ? resolve(str(p, 'nginx-source')!) : undefined,
    haproxySource: str(p, 'haproxy-source') ? resolve(str(p, 'haproxy-source')!) : undefined,
    kubeconfigFile: session.config.files[0],
    config: session.config,
  });
  // What the CLI prints is often pasted or saved: no credentials in it (the probe's own -H values included).
  const trace = redactTrace(mapped);
  if (bool(p, 'summary')) {
    const folders = workspace ? [resolve(workspace)] : [process.cwd()];
    process.stdout.write(summarizeTrace(trace, { workspaceFolders: folders }) + '\n');
    return 0;
  }
  if (json) {
    process.stdout.write(JSON.stringify(trace, null, 2) + '\n');
    return 0;
  }
  const r = outcome.response;
  const { kind: targetKind, address, port } = outcome.target;
  const answer = r.status ?? r.error?.code ?? 'no answer';
  process.stdout.write(`${redact(outcome.url)} via ${targetKind} ${address}:${port} → ${answer}\n`);
  writeStyled(
    process.stdout,
    renderWaterfall(trace, {
      color: !!process.stdout.isTTY && !process.env.NO_COLOR,
      width: process.stdout.columns,
      cwd: process.cwd(),
    }),
  );
  return 0;
}
