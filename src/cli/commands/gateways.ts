// `kubetrace gateways`: each Gateway with its class, controller, listeners, addresses and attached HTTPRoutes.
import { readListing } from '../session';
import { buildGateways, GatewayIndex, type GatewayView } from '../../core/kube/gateway-tree';

export async function run(argv: string[]): Promise<number> {
  const { json, tree } = await readListing(argv);
  const views = buildGateways(
    new GatewayIndex(tree.snapshot.gateways, tree.snapshot.gatewayClasses),
    tree.snapshot.httpRoutes,
  );
  if (json) {
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
