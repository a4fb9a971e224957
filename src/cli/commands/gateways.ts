// `kubetrace gateways`: each Gateway with its class, controller, listeners, addresses and attached HTTPRoutes.
import { parseArgs, bool, str } from '../args';
import { connect } from '../session';
import { readRouteTree } from '../../core/kube/route-tree';
import { buildGateways, GatewayIndex, type GatewayView } from '../../core/kube/gateway-tree';

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    json: { type: 'boolean' },
  });
  const session = await connect({ kubeconfig: str(p, 'kubeconfig'), context: str(p, 'context') });
  const tree = await readRouteTree(session.api, {
    namespace: str(p, 'namespace'),
    fallbackNamespace: session.config.namespace,
  });
  for (const n of tree.notices) process.stderr.write(`note: ${n}\n`);
  const views = buildGateways(
    new GatewayIndex(tree.snapshot.gateways, tree.snapshot.gatewayClasses),
    tree.snapshot.httpRoutes,
  );
  if (bool(p, 'json')) {
    process.stdout.write(JSON.stringify(views, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(views.length ? views.map(renderGateway).join('\n') + '\n' : 'no Gateways found\n');
  return 0;
}

export function renderGateway(g: GatewayView): string {
  const lines = [
    `Gateway ${g.namespace}/${g.name}  class=${g.className || '-'}${g.controller ? ` (${g.controller})` : ''}` +
      `  address=${g.addresses.join(',') || '(none)'}`,
  ];
  for (const l of g.listeners)
    lines.push(
      `  listener ${l.name}  ${l.protocol} ${l.hostname ?? '*'}:${l.port}  attached routes: ${l.attachedRoutes}`,
    );
  for (const r of g.routes)
    lines.push(`  ${r.accepted ? '●' : '○'} ${r.kind} ${r.namespace}/${r.name}${r.reason ? `  (${r.reason})` : ''}`);
  return lines.join('\n');
}
