// `kubetrace demo` (what `npm run demo` runs): the sandbox, then what runs where and how to look at it,
// until Ctrl-C. Probes through orders and catalog join here later.
import { relative } from 'node:path';
import type { Sandbox } from '../../sandbox/sandbox';
import { runSandbox, sandboxOptions } from './sandbox';

export async function run(argv: string[]): Promise<number> {
  const opts = sandboxOptions(argv);
  process.stderr.write('Starting the Kubetrace sandbox (real nginx, Node and Flask apps, a trace store)...\n');
  return runSandbox(opts, (sb) => { process.stdout.write(describeSandbox(sb)); });
}

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd());
}

/** What runs where, and the commands to look at it. */
export function describeSandbox(sb: Sandbox): string {
  const kc = shellQuote(sb.kubeconfigPath);
  const rel = (p: string) => { const r = relative(process.cwd(), p); return r && !r.startsWith('..') ? r : p; };
  const { ip, httpPort, httpsPort } = sb.ingress;
  const out: string[] = [];
  out.push('', 'Kubetrace sandbox is up.', '');
  out.push(...table([
    ['kubeconfig', sb.kubeconfigPath],
    ['API server', sb.apiUrl],
    ['ingress', `nginx at ${ip}: http ${httpPort}, https ${httpsPort}`],
    ['sandbox CA', sb.caFile],
    ['nginx.conf', `${sb.nginxConfDir}/nginx.conf (generated, read-only)`],
  ]));

  const pods = sb.store.list('Pod');
  const rows = [['NAMESPACE', 'POD', 'IP', 'PORTS', 'NODE', 'RUNS']];
  for (const p of pods) {
    const spec = p.spec as { nodeName?: string; containers?: { ports?: { name?: string; containerPort: number }[] }[] };
    const ports = (spec.containers?.[0]?.ports ?? []).map((x) => (x.name ? `${x.name}:${x.containerPort}` : String(x.containerPort))).join(',');
    const app = p.metadata.annotations?.['sandbox.kubetrace.dev/app'];
    const runs = sb.runtime.pods.find((r) => r.info.name === p.metadata.name)?.process;
    rows.push([p.metadata.namespace ?? '', p.metadata.name, (p.status as { podIP?: string }).podIP ?? '', ports, spec.nodeName ?? '',
      runs ? `${app} (pid ${runs.pid})` : app ?? 'no process']);
  }
  if (pods.length <= 40) out.push('', 'Pods (each app pod is a real process on its own loopback address):', ...table(rows));
  else out.push('', `${pods.length} pods; \`kubectl --kubeconfig ${kc} get pods -A -o wide\` lists them.`);

  const ingresses = sb.store.list('Ingress');
  const routes: string[][] = [['INGRESS', 'URL', 'PATH TYPE', 'BACKEND']];
  for (const ing of ingresses.slice(0, 20)) {
    const spec = ing.spec as { tls?: { hosts?: string[] }[]; defaultBackend?: { service?: { name: string; port: { number?: number; name?: string } } };
      rules?: { host?: string; http?: { paths?: { path: string; pathType: string; backend: { service?: { name: string; port: { number?: number; name?: string } } } }[] } }[] };
    const tlsHosts = new Set((spec.tls ?? []).flatMap((t) => t.hosts ?? []));
    const name = `${ing.metadata.namespace}/${ing.metadata.name}`;
    const svc = (b?: { service?: { name: string; port: { number?: number; name?: string } } }) => (b?.service ? `${b.service.name}:${b.service.port.number ?? b.service.port.name}` : '-');
    if (spec.defaultBackend) routes.push([name, '(any other host)', 'default backend', svc(spec.defaultBackend)]);
    for (const r of spec.rules ?? []) for (const p of r.http?.paths ?? []) {
      const host = r.host ?? '*';
      routes.push([name, `${tlsHosts.has(host) ? 'https' : 'http'}://${host}${p.path}`, p.pathType, svc(p.backend)]);
    }
  }
  out.push('', 'Ingresses (nginx serves them all on the address above):', ...table(routes));
  if (ingresses.length > 20) out.push(`  ... and ${ingresses.length - 20} more`);

  const ctl = sb.runtime.ingress?.pod.name ?? 'POD';
  out.push('', 'Look around:',
    `  kubectl --kubeconfig ${kc} get ingress -A`,
    `  kubectl --kubeconfig ${kc} get pods -A -o wide`,
    `  kubectl --kubeconfig ${kc} logs -n ingress-nginx ${ctl}`,
    `  curl -H 'Host: api.kubetrace.test' -H 'X-Request-ID: demo-1' http://${ip}:${httpPort}/orders`,
    `  curl --cacert ${shellQuote(rel(sb.caFile))} --resolve shop.kubetrace.test:${httpsPort}:${ip} https://shop.kubetrace.test:${httpsPort}/orders`,
    '',
    'Open it in VS Code:',
    `  set "kubetrace.kubeconfig": "${sb.kubeconfigPath}" in your settings (or start \`KUBECONFIG=${kc} code .\`),`,
    '  then open the Kubetrace view in the activity bar and probe an Ingress.',
    '',
    'Press Ctrl-C to stop the sandbox.', '');
  return out.join('\n');
}
