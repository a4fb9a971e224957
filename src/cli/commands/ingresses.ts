// `kubetrace ingresses`: the same tree as the VS Code view, as text or JSON.
import { readListing } from '../session';
import type { Backend, RouteEntry } from '../../core/kube/routes';

export async function run(argv: string[]): Promise<number> {
  const { json, tree } = await readListing(argv);
  if (json) {
    process.stdout.write(JSON.stringify(tree.entries, null, 2) + '\n');
    return 0;
  }
  if (!tree.entries.length) {
    process.stdout.write('no Ingresses or HTTPRoutes found\n');
    return 0;
  }
  process.stdout.write(tree.entries.map(renderEntry).join('\n') + '\n');
  return 0;
}

function renderBackend(b: Backend, indent: string): string[] {
  const head = b.resource
    ? `resource ${b.resource.kind}/${b.resource.name} (not probed)`
    : `service ${b.service?.name}:${b.service?.port}${b.missing ? '  (missing)' : ''}` +
      `${b.weight !== undefined ? `  weight ${b.weight}` : ''}`;
  const eps = b.endpoints.map((e) => {
    const where = `${e.ip}:${e.port}${e.node ? ` on ${e.node}` : ''}`;
    return `${indent}  ${e.ready ? '●' : '○'} ${e.pod ?? '-'} ${where}${e.ready ? '' : ' (not ready)'}`;
  });
  if (!b.resource && !b.missing && !b.endpoints.length) eps.push(`${indent}  (no endpoints)`);
  return [`${indent}→ ${head}`, ...eps];
}

export function renderEntry(e: RouteEntry): string {
  const lines = [
    `${e.kind} ${e.namespace}/${e.name}${e.className ? `  class=${e.className}` : ''}` +
      `${e.controller ? ` (${e.controller})` : ''}${e.addresses.length ? `  address=${e.addresses.join(',')}` : ''}`,
  ];
  for (const g of e.parents ?? []) {
    const l = g.listener
      ? `  listener ${g.listener.name} ${g.listener.protocol} ${g.listener.hostname ?? '*'}:${g.listener.port}`
      : '';
    lines.push(
      `  ${g.accepted ? '●' : '○'} parent Gateway ${g.gateway.namespace}/${g.gateway.name}${l}${g.reason ? `  (${g.reason})` : ''}`,
    );
  }
  for (const t of e.tls) lines.push(`  tls ${t.hosts.join(',') || '*'}${t.secretName ? ` (${t.secretName})` : ''}`);
  if (e.defaultBackend) lines.push('  default backend', ...renderBackend(e.defaultBackend, '    '));
  for (const r of e.rules) {
    lines.push(`  ${r.host ?? '*'}`);
    for (const p of r.paths) {
      const m = p.matches;
      const extra = [
        ...(m?.method ? [m.method] : []),
        ...(m?.headers ?? []).map((h) => `header ${h.name}${h.type === 'Exact' ? '=' : '~'}${h.value}`),
        ...(m?.queryParams ?? []).map((q) => `query ${q.name}${q.type === 'Exact' ? '=' : '~'}${q.value}`),
      ];
      lines.push(`    ${p.path}  (${p.pathType})${extra.length ? `  ${extra.join(', ')}` : ''}`);
      for (const b of p.backends) lines.push(...renderBackend(b, '      '));
    }
  }
  return lines.join('\n');
}
