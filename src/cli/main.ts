// The `kubetrace` command. Each command lives in its own file under commands/ and is loaded on demand.
import { KubetraceError, UsageError, errorMessage } from '../core/errors';
import { guardTerminal } from './terminal';

type Command = (argv: string[]) => Promise<number | void>;
const commands: Record<string, () => Promise<Command>> = {
  sandbox: async () => (await import('./commands/sandbox')).run,
  ingresses: async () => (await import('./commands/ingresses')).run,
  gateways: async () => (await import('./commands/gateways')).run,
  probe: async () => (await import('./commands/probe')).run,
  load: async () => (await import('./commands/load')).run,
  compare: async () => (await import('./commands/compare')).run,
  import: async () => (await import('./commands/import')).run,
  export: async () => (await import('./commands/export')).run,
  demo: async () => (await import('./commands/demo')).run,
  mcp: async () => (await import('./commands/mcp')).run,
  internal: async () => (await import('./commands/internal')).run,
};

const usage = `usage: kubetrace <command> [options]

commands:
  sandbox     start the local sandbox cluster
  ingresses   list Ingresses and HTTPRoutes with their backends
  gateways    list Gateways with their listeners, addresses and attached HTTPRoutes
  probe       send one traced probe through an Ingress or HTTPRoute and print the waterfall
  compare     send the same request through two routes (an Ingress and its HTTPRoute) and show what differs
  load        send a burst of traced probes and break their latency down by layer, span and pod
  import      read a trace file or an nginx access log
  export      convert Kubetrace Trace JSON to OTLP or Jaeger JSON
  demo        the sandbox plus two traced probes (what \`npm run demo\` runs)
  mcp         an MCP server over stdio with Kubetrace's agent tools`;

/** Each command's usage: the CLI contract's synopsis, then what it does. */
const help: Record<string, string> = {
  sandbox: `usage: kubetrace sandbox [--kubeconfig FILE] [--manifests DIR]... [--scale N] [--pod-subnet A.B.C]
                        [--single-address]

Starts the local sandbox cluster (API stand-in, real nginx, the demo apps, a trace store), prints
"kubetrace sandbox ready kubeconfig=<path> api=<url>" and runs until Ctrl-C.
  --kubeconfig FILE   where to write the sandbox kubeconfig (default .kubetrace/sandbox.kubeconfig)
  --manifests DIR     more YAML to apply, with kubectl-apply semantics (repeatable)
  --scale N           add N Ingresses, each with a Service, an EndpointSlice and two pods
  --pod-subnet A.B.C  the first three octets of pod addresses (default $KUBETRACE_POD_SUBNET, else 127.10.0)
  --single-address    every pod on 127.0.0.1 with ports of its own (what the sandbox falls back to when the
                      pod addresses cannot be bound, as on macOS)`,
  ingresses: `usage: kubetrace ingresses [--kubeconfig F] [--context C] [-n NS] [--json]

Lists Ingresses and HTTPRoutes with their rules, paths, backends and endpoints (what the VS Code tree shows).`,
  gateways: `usage: kubetrace gateways [--kubeconfig F] [--context C] [-n NS] [--json]

Lists Gateways with their class, controller, listeners, addresses and attached HTTPRoutes; a route its Gateway
did not accept is shown with the condition's reason.`,
  probe: `usage: kubetrace probe ROUTE [--host H] [--mark query] [--path P] [-X METHOD] [-H 'K: V']... [--data S|@FILE]
                       [--via lb|port-forward] [--insecure] [--cacert F] [--timeout MS] [--workspace DIR]
                       [--nginx-source DIR] [--haproxy-source DIR] [--path-map FROM=TO]... [--kubeconfig F]
                       [--context C] [--trace-backend URL] [--json | --summary] [--yes]

ROUTE is NS/NAME (an Ingress, or an HTTPRoute when no Ingress has that name), ingress/NS/NAME or
httproute/NS/NAME. Sends one traced request through the route (a fresh traceparent and X-Request-ID),
collects the spans of every layer and prints the waterfall, the Trace as JSON, or with --summary the short
text an agent reads. A non-GET probe, or one with a body, outside the sandbox needs --yes. TLS verification
is on unless --insecure. The probe's User-Agent is kubetrace/<version> (probe <traceId>) unless -H sets one;
--mark query also adds kubetrace=<traceId> to the query, for access logs that drop headers. --haproxy-source
is an HAProxy source tree, or a folder of <version>/ trees (scripts/fetch-haproxy-source.sh), that HAProxy's
spans open: the tree of the version haproxy -v reports in the controller pod.`,
  load: `usage: kubetrace load ROUTE [--host H] [--path P] [-X M] [-H 'K: V']... [--data S|@FILE]
                      [-n COUNT | --duration 30s] [-c CONCURRENCY] [--rate R] [--no-keepalive]
                      [--via lb|port-forward] [--insecure] [--cacert F] [--timeout MS] [--trace-backend URL]
                      [--json] [--baseline FILE.json] [--kubeconfig F] [--context C] [--yes]

Sends a burst of traced requests through the route (default 100, 4 at a time, over reused connections like a
client pool; --no-keepalive opens one per request), each with its own trace id, collects every trace and prints
where the time went by layer, span and pod, the tail and the errors; --json prints the report with every request's
summary and trace id, and --baseline compares with a report saved that way. At most 10000 requests or 10 minutes.
Outside the sandbox more than 20 requests (or any --duration) need --yes, as does a non-GET burst.`,
  compare: `usage: kubetrace compare ROUTE_A ROUTE_B [--host H] [--path P] [-X M] [-H 'K: V']... [--data S|@FILE]
                         [-n N] [--via lb|port-forward] [--insecure] [--cacert F] [--timeout MS]
                         [--trace-backend URL] [--json] [--kubeconfig F] [--context C] [--yes]

Sends the same request through both routes (e.g. ingress/shop/orders and httproute/shop/orders-route), N times each
(default 3, at most 50), alternating, and prints what differs: status, response headers (per-request values such
as Date and request ids are compared by presence only), body (size and SHA-256), redirects, the backend services
and pods that answered, the request headers the app received where its spans record them, trace propagation, TLS,
and the median time per layer. For an Ingress against an HTTPRoute it also lists, without sending anything, the
paths and ingress-nginx annotations the route does not carry over. Exit 0 when the routes answer alike, 3 when
they differ (time alone never counts). More than 20 requests outside the sandbox need --yes.`,
  import: `usage: kubetrace import FILE [--format otlp|jaeger|tempo|zipkin|nginx-log|envoy-log|traefik-log|haproxy-log]
                        [--summary] [--json]

Reads a trace file (OTLP JSON or protobuf, Jaeger, Tempo, Zipkin v2) or an nginx access log (one trace per
request line), detecting the format unless --format is given. --json prints an array of Trace.
--summary prints the breakdown of all the requests instead: time by layer, span rows, the tails and where their
extra time went, upstreams, failures and a histogram (with --json, the BurstReport).`,
  export: `usage: kubetrace export FILE --format otlp|jaeger [-o OUT]

Converts Kubetrace Trace JSON (from probe --json or import --json) to OTLP JSON or Jaeger JSON.`,
  mcp: `usage: kubetrace mcp [--kubeconfig F] [--context C] [--allow-writes] [--yes] [--workspace DIR]
                     [--nginx-source DIR] [--haproxy-source DIR] [--path-map FROM=TO]...

An MCP server over stdio for agents (Claude Code, Cursor, Copilot CLI) with the tools kubetrace_listRoutes,
kubetrace_probe, kubetrace_burst (at most 50 requests) and kubetrace_explainTrace. It reads the kubeconfig as the
other commands do. Probes are GET without a body unless --allow-writes; a cluster other than the Kubetrace
sandbox needs --yes. Source paths are shown relative to --workspace (default: the current folder).`,
  demo: `usage: kubetrace demo [--exit] [--single-address]

Starts the sandbox, then probes orders (client -> nginx -> orders -> inventory), catalog and orders-gold through
the Gateway and prints the waterfalls. The sandbox stays up until Ctrl-C, or stops at once with --exit.
--single-address puts every pod on 127.0.0.1 with ports of its own (see kubetrace help sandbox).`,
};
const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0] && help[rest[0]]) return say(help[rest[0]]);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage + '\n\nrun `kubetrace <command> --help` for its options\n');
    return name ? 0 : 2;
  }
  if (help[name] && wantsHelp(rest)) return say(help[name]);
  const load = commands[name];
  if (!load) throw new UsageError(`unknown command "${name}"`, 'run `kubetrace --help` for the list');
  const run = await load();
  return (await run(rest)) ?? 0;
}

function say(text: string): number {
  process.stdout.write(text + '\n');
  return 0;
}

export function reportError(e: unknown): number {
  if (e instanceof KubetraceError) {
    process.stderr.write(`error: ${e.message}\n`);
    if (e instanceof UsageError && e.candidates?.length)
      process.stderr.write(e.candidates.map((c) => `  ${c}\n`).join(''));
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  process.stderr.write(`error: ${errorMessage(e)}\n`);
  if (process.env.KUBETRACE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}

// Before anything prints: no control character from a trace, a backend or a cluster object reaches the terminal.
guardTerminal();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = reportError(e);
  },
);
