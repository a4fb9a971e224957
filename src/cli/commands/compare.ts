// `kubetrace compare ROUTE_A ROUTE_B`: the same request through two routes, N probes each, and what differs.
// Exit 0 when they answer alike, 3 when they differ (DESIGN: the CLI contract).
import { bool, int, parseArgs, str } from '../args';
import { connect } from '../session';
import { requestArgs, requestFlags, sendArgs } from '../request-args';
import { UsageError } from '../../core/errors';
import { parseRouteRef } from '../../core/probe/route-ref';
import { runCompare, type RouteComparison } from '../../core/compare/run';
import { clearLine, writeStyled } from '../terminal';
import { LAYERS } from '../../protocol/vocabulary';

const spec = { ...requestFlags, count: { type: 'string', short: 'n' }, json: { type: 'boolean' } } as const;

export const DIFFERENT = 3;

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, spec);
  if (p.positional.length !== 2)
    throw new UsageError(
      'usage: kubetrace compare ROUTE_A ROUTE_B [options]',
      'e.g. kubetrace compare ingress/shop/orders httproute/shop/orders-route',
    );
  const [a, b] = p.positional.map(parseRouteRef);
  const { headers, body, method, via } = requestArgs(p);
  const json = bool(p, 'json');
  const session = await connect({ kubeconfig: str(p, 'kubeconfig'), context: str(p, 'context') });
  const tty = !!process.stderr.isTTY && !json;
  const ctrl = new AbortController();
  const onSigint = () => ctrl.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await runCompare({
      config: session.config,
      api: session.api,
      a,
      b,
      count: int(p, 'count') ?? 3,
      ...sendArgs(p),
      method,
      headers,
      body,
      via,
      signal: ctrl.signal,
      onProgress: (m) => tty && (clearLine(process.stderr), process.stderr.write(`${m}…`)),
    });
    if (tty) clearLine(process.stderr);
    if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else writeStyled(process.stdout, renderComparison(result, !!process.stdout.isTTY && !process.env.NO_COLOR));
    return result.equal ? 0 : DIFFERENT;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

const MARK = { error: '✗', warning: '!', info: '·' } as const;
const ms = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(1)} ms`);

export function renderComparison(r: RouteComparison, color: boolean): string {
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const out: string[] = [];
  for (const [tag, s] of [['A', r.a] as const, ['B', r.b] as const])
    out.push(
      `${bold(tag)} ${s.route}  ${s.url ? s.url + ' ' : ''}→ ${s.status}  ` +
        `(${s.traceIds.length} probes, median ${ms(s.medianMs)})`,
    );
  out.push('');
  if (r.differences.length) {
    out.push(bold('differences (A | B)'));
    const width = Math.min(48, Math.max(...r.differences.map((d) => d.what.length)));
    for (const d of r.differences)
      out.push(`  ${MARK[d.severity]} ${d.what.padEnd(width)}  ${d.a ?? '(absent)'}  |  ${d.b ?? '(absent)'}`);
  } else out.push('no differences in status, headers, body, backends, TLS or propagation');
  out.push('', bold('time by layer (median)'));
  for (const layer of [...LAYERS, 'total'] as const) {
    const x = r.a.layers[layer];
    const y = r.b.layers[layer];
    if (x === undefined && y === undefined) continue;
    out.push(`  ${layer.padEnd(11)} ${ms(x).padStart(10)}  ${ms(y).padStart(10)}`);
  }
  if (r.notCarriedOver.length) {
    out.push('', bold('not carried over (read from the objects, nothing sent)'));
    for (const n of r.notCarriedOver) out.push(`  - ${n.what}: ${n.detail}`);
  }
  out.push(
    '',
    r.equal
      ? 'the routes answer alike (exit 0)'
      : `the routes differ: ${r.differences.filter((d) => d.severity !== 'info').length} differences (exit 3)`,
  );
  return out.join('\n') + '\n';
}
