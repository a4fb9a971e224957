// `kubetrace demo` (what `npm run demo` runs): the sandbox, a traced probe through `orders`
// (client → nginx → orders → inventory), one through `catalog` and one through the Gateway (NGINX Gateway
// Fabric's nginx), printed as waterfalls; then what runs where and how to look at it, until Ctrl-C (or right
// away with --exit).
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Sandbox } from '../../sandbox/sandbox';
import { loadKubeconfig } from '../../core/kube/load';
import { KubeRequester } from '../../core/kube/request';
import { runProbe } from '../../core/probe/run';
import { mapProbeSources } from '../../core/probe/map-sources';
import { errorMessage } from '../../core/errors';
import { renderWaterfall } from '../waterfall';
import { runSandbox, sandboxOptions } from './sandbox';
import { writeStyled } from '../terminal';

export async function run(argv: string[]): Promise<number> {
  const exit = argv.includes('--exit');
  const opts = sandboxOptions(argv.filter((a) => a !== '--exit'));
  process.stderr.write('Starting the Kubetrace sandbox (real nginx, Node and Flask apps, a trace store)...\n');
  let failed = false;
  const code = await runSandbox(opts, async (sb) => {
    process.stdout.write(describeSandbox(sb).replace(/\nPress Ctrl-C to stop the sandbox\.\n$/, '\n'));
    failed = !(await demoProbes(sb));
    process.stdout.write(exit ? '' : 'Press Ctrl-C to stop the sandbox.\n');
    if (exit) process.kill(process.pid, 'SIGTERM');
  });
  return failed ? 1 : code;
}

/** Three probes, as a user would send them; the waterfalls show where each layer spent its time. */
async function demoProbes(sb: Sandbox): Promise<boolean> {
  const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
  const api = new KubeRequester(config);
  const repo = resolve(__dirname, '..');
  const workspace = existsSync(join(process.cwd(), 'src', 'sandbox', 'apps')) ? process.cwd() : repo;
  const nginxSource = [
    join(workspace, '.cache', 'nginx-src', 'nginx-1.22.1'),
    join(repo, '.cache', 'nginx-src', 'nginx-1.22.1'),
  ].find((d) => existsSync(d));
  let ok = true;
  const probes: [string, string, string, 'Ingress' | 'HTTPRoute'][] = [
    ['shop', 'orders', 'client → ingress nginx → orders (Node, OpenTelemetry) → inventory', 'Ingress'],
    [
      'catalog',
      'catalog',
      'client → ingress nginx → catalog (Flask, no instrumentation: its span comes from its log line)',
      'Ingress',
    ],
    [
      'shop',
      'orders-gold',
      'client → Gateway nginx-gateway/shop-gateway (NGINX Gateway Fabric) → orders → inventory; ' +
        'the probe adds the header the route matches on',
      'HTTPRoute',
    ],
  ];
  for (const [ns, name, what, kind] of probes.filter(([, , , k]) => k === 'Ingress' || sb.runtime.gateways.length)) {
    const ref = kind === 'HTTPRoute' ? `httproute/${ns}/${name}` : `${ns}/${name}`;
    writeStyled(
      process.stdout,
      `\n\x1b[1mkubetrace probe ${ref}\x1b[0m  ${what}\n`.replace(/\x1b\[[0-9;]*m/g, process.stdout.isTTY ? '$&' : ''),
    );
    try {
      const outcome = await runProbe({ config, api, namespace: ns, name, kind });
      const trace = await mapProbeSources(outcome, {
        workspaceFolders: [workspace],
        nginxSource,
        kubeconfigFile: sb.kubeconfigPath,
        config,
      });
      process.stdout.write(`${outcome.url} → ${outcome.response.status ?? outcome.response.error?.code}\n`);
      writeStyled(
        process.stdout,
        renderWaterfall(trace, {
          color: !!process.stdout.isTTY && !process.env.NO_COLOR,
          width: process.stdout.columns ?? 140,
          cwd: workspace,
        }),
      );
    } catch (e) {
      ok = false;
      process.stdout.write(`error: ${errorMessage(e)}\n`);
    }
  }
  if (!nginxSource)
    process.stdout.write(
      '\n(nginx spans show functions without lines: run `bash scripts/fetch-nginx-source.sh` for the 1.22.1 source)\n',
    );
  process.stdout.write(
    `\nSame from a terminal: npx kubetrace probe shop/orders --kubeconfig ${shellQuote(sb.kubeconfigPath)} --workspace ` +
      `${shellQuote(fromHere(workspace))}${nginxSource ? ` --nginx-source ${shellQuote(fromHere(nginxSource))}` : ''}\n`,
  );
  process.stdout.write('In VS Code with nothing installed: npm run demo:vscode\n\n');
  return ok;
}

/** A path relative to where the user stands when it is inside that folder, so printed commands paste as they are. */
const fromHere = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};
const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd());
}

/** What runs where, and the commands to look at it. */
export function describeSandbox(sb: Sandbox): string {
  const kc = shellQuote(sb.kubeconfigPath);
  const { ip, httpPort, httpsPort } = sb.ingress;
  const out: string[] = [];
  out.push('', 'Kubetrace sandbox is up.', '');
  out.push(
    ...table([
      ['kubeconfig', sb.kubeconfigPath],
      ['API server', sb.apiUrl],
      ['ingress', `nginx at ${ip}: http ${httpPort}, https ${httpsPort}`],
      ...gatewayRows(sb),
      ['sandbox CA', sb.caFile],
      ['nginx.conf', `${sb.nginxConfDir}/nginx.conf (generated, read-only)`],
    ]),
  );

  const pods = sb.store.list('Pod');
  const rows = [['NAMESPACE', 'POD', 'IP', 'PORTS', 'NODE', 'RUNS']];
  for (const p of pods) {
    const spec = p.spec as { nodeName?: string; containers?: { ports?: { name?: string; containerPort: number }[] }[] };
    const ports = (spec.containers?.[0]?.ports ?? [])
      .map((x) => (x.name ? `${x.name}:${x.containerPort}` : String(x.containerPort)))
      .join(',');
    const app = p.metadata.annotations?.['sandbox.kubetrace.dev/app'];
    const runs = sb.runtime.pods.find((r) => r.info.name === p.metadata.name)?.process;
    rows.push([
      p.metadata.namespace ?? '',
      p.metadata.name,
      (p.status as { podIP?: string }).podIP ?? '',
      ports,
      spec.nodeName ?? '',
      runs ? `${app} (pid ${runs.pid})` : (app ?? 'no process'),
    ]);
  }
  if (pods.length <= 40)
    out.push(
      '',
      sb.singleAddress
        ? 'Pods (each app pod is a real process; all share 127.0.0.1, each with ports of its own):'
        : 'Pods (each app pod is a real process on its own loopback address):',
      ...table(rows),
    );
  else out.push('', `${pods.length} pods; \`kubectl --kubeconfig ${kc} get pods -A -o wide\` lists them.`);

  const ingresses = sb.store.list('Ingress');
  const routes: string[][] = [['INGRESS', 'CLASS', 'URL', 'PATH TYPE', 'BACKEND']];
  for (const ing of ingresses.slice(0, 20)) {
    const spec = ing.spec as {
      ingressClassName?: string;
      tls?: { hosts?: string[] }[];
      defaultBackend?: { service?: { name: string; port: { number?: number; name?: string } } };
      rules?: {
        host?: string;
        http?: {
          paths?: {
            path: string;
            pathType: string;
            backend: { service?: { name: string; port: { number?: number; name?: string } } };
          }[];
        };
      }[];
    };
    const tlsHosts = new Set((spec.tls ?? []).flatMap((t) => t.hosts ?? []));
    const name = `${ing.metadata.namespace}/${ing.metadata.name}`;
    const cls = spec.ingressClassName ?? '-';
    const svc = (b?: { service?: { name: string; port: { number?: number; name?: string } } }) =>
      b?.service ? `${b.service.name}:${b.service.port.number ?? b.service.port.name}` : '-';
    if (spec.defaultBackend) routes.push([name, cls, '(any other host)', 'default backend', svc(spec.defaultBackend)]);
    for (const r of spec.rules ?? [])
      for (const p of r.http?.paths ?? []) {
        const host = r.host ?? '*';
        const url = `${tlsHosts.has(host) ? 'https' : 'http'}://${host}${p.path}`;
        routes.push([name, cls, url, p.pathType, svc(p.backend)]);
      }
  }
  const haproxy = sb.runtime.haproxy;
  const haproxyAt = haproxy ? `; class haproxy: the haproxy pod, ports ${haproxy.ports.join(' and ')}` : '';
  out.push('', `Ingresses (class nginx: the ingress address above${haproxyAt}):`, ...table(routes));
  if (ingresses.length > 20) out.push(`  ... and ${ingresses.length - 20} more`);

  const ctl = sb.runtime.ingress?.pod.name ?? 'POD';
  out.push(
    '',
    'Look around:',
    `  kubectl --kubeconfig ${kc} get ingress -A`,
    `  kubectl --kubeconfig ${kc} get gateways,httproutes -A`,
    `  npx kubetrace gateways --kubeconfig ${kc}`,
    `  kubectl --kubeconfig ${kc} get pods -A -o wide`,
    `  kubectl --kubeconfig ${kc} logs -n ingress-nginx ${ctl}`,
    `  curl -H 'Host: api.kubetrace.test' -H 'X-Request-ID: demo-1' http://${ip}:${httpPort}/orders`,
    `  curl --cacert ${shellQuote(fromHere(sb.caFile))} --resolve ` +
      `shop.kubetrace.test:${httpsPort}:${ip} https://shop.kubetrace.test:${httpsPort}/orders`,
    ...gatewayCurl(sb),
    '',
    'Open it in VS Code:',
    `  set "kubetrace.kubeconfig": "${sb.kubeconfigPath}" in your settings (or start \`KUBECONFIG=${kc} code .\`),`,
    '  then open the Kubetrace view in the activity bar and probe an Ingress.',
    '',
    'Press Ctrl-C to stop the sandbox.',
    '',
  );
  return out.join('\n');
}

/** The Gateways the sandbox runs an nginx for (NGINX Gateway Fabric's data plane), with their address. */
function gatewayRows(sb: Sandbox): string[][] {
  return sb.runtime.gateways.map((g) => {
    const gw = sb.store.get('Gateway', g.namespace, g.name);
    const ip = (gw?.status as { addresses?: { value: string }[] } | undefined)?.addresses?.[0]?.value ?? '-';
    const ports = (g.model?.ports ?? [])
      .map((p) => `${p.ssl ? 'https' : 'http'} ${g.listenPorts?.get(p.port) ?? p.port}`)
      .join(', ');
    return ['gateway', `${g.namespace}/${g.name} (NGINX Gateway Fabric's nginx) at ${ip}: ${ports}`];
  });
}

function gatewayCurl(sb: Sandbox): string[] {
  const gw = sb.store.get('Gateway', 'nginx-gateway', 'shop-gateway');
  const ip = (gw?.status as { addresses?: { value: string }[] } | undefined)?.addresses?.[0]?.value;
  // The listener's own port: the sandbox's Gateway listens on 8080, where a non-root user may bind (in
  // single-address mode, on a port of its own).
  const plane = sb.runtime.gateways.find((g) => g.namespace === 'nginx-gateway' && g.name === 'shop-gateway');
  const listener = plane?.model?.ports.find((p) => !p.ssl)?.port;
  const port = listener === undefined ? undefined : (plane?.listenPorts?.get(listener) ?? listener);
  const at = port && port !== 80 ? `${ip}:${port}` : ip;
  return ip ? [`  curl -H 'Host: gold.kubetrace.test' -H 'X-Customer-Tier: gold' http://${at}/orders`] : [];
}
