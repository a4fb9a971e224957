// `kubetrace mcp`: an MCP server over stdio with the agent tools (list routes, probe, burst, explain a trace), for agents
// outside VS Code. stdout carries the protocol only; notes go to stderr. Safety as in the CLI: GET probes only
// unless --allow-writes, and a cluster other than the sandbox needs --yes.
import { resolve } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { bool, list, parseArgs, str } from '../args';
import { connect, type Session } from '../session';
import { KubetraceError, UsageError, errorMessage } from '../../core/errors';
import { isSandbox } from '../../core/kube/sandbox';
import { readRouteTree } from '../../core/kube/route-tree';
import { redact, redactTrace } from '../../core/redact';
import { summarizeTrace } from '../../core/summary';
import { probeForAgent } from '../../core/summary/probe';
import {
  BURST_TOOL,
  TOOL_DESCRIPTIONS,
  TOOL_NAMES,
  parseRouteRef,
  probeRefusal,
  routesText,
} from '../../core/summary/tools';
import type { Trace } from '../../core/trace/model';
import { BURST_LIMITS } from '../../core/burst/types';
import { burstText } from '../../core/summary/burst';
import { runBurst } from '../../core/burst/run';

const VERSION = '0.1.0';
const HISTORY = 20;

export async function run(argv: string[]): Promise<number> {
  let o: ServerOptions;
  try {
    o = serverOptions(argv);
  } catch (e) {
    // This command is its own bundle (scripts/build.mjs), so main.ts cannot recognise its error classes: say it here.
    process.stderr.write(`error: ${errorMessage(e)}\n`);
    if (e instanceof KubetraceError && e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  const server = createServer(o);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((done) => (transport.onclose = done));
  await server.connect(transport);
  process.stderr.write(
    `kubetrace mcp: serving over stdio${o.allowWrites ? ', writes allowed' : ''}${o.yes ? ', any cluster' : ''}\n`,
  );
  process.stdin.on('end', () => void server.close());
  await closed;
  return 0;
}

function serverOptions(argv: string[]): ServerOptions {
  const p = parseArgs(argv, {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    'allow-writes': { type: 'boolean' },
    yes: { type: 'boolean' },
    workspace: { type: 'string' },
    'nginx-source': { type: 'string' },
    'haproxy-source': { type: 'string' },
    'path-map': { type: 'list' },
  });
  if (p.positional.length) throw new UsageError(`kubetrace mcp takes no arguments, not "${p.positional[0]}"`);
  const pathMappings: Record<string, string> = {};
  for (const m of list(p, 'path-map')) {
    const i = m.indexOf('=');
    if (i <= 0) throw new UsageError(`--path-map takes FROM=TO, not "${m}"`);
    pathMappings[m.slice(0, i)] = resolve(m.slice(i + 1));
  }
  return {
    kubeconfig: str(p, 'kubeconfig'),
    context: str(p, 'context'),
    allowWrites: bool(p, 'allow-writes'),
    yes: bool(p, 'yes'),
    workspace: resolve(str(p, 'workspace') ?? process.cwd()),
    nginxSource: str(p, 'nginx-source') ? resolve(str(p, 'nginx-source')!) : undefined,
    haproxySource: str(p, 'haproxy-source') ? resolve(str(p, 'haproxy-source')!) : undefined,
    pathMappings,
  };
}

interface ServerOptions {
  kubeconfig?: string;
  context?: string;
  allowWrites: boolean;
  yes: boolean;
  workspace: string;
  nginxSource?: string;
  haproxySource?: string;
  pathMappings: Record<string, string>;
}

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const ok = (text: string): ToolResult => ({ content: [{ type: 'text', text }] });

/** A tool failure the agent can act on: the cause and, where one helps, what to do. */
function failure(e: unknown): ToolResult {
  const hint = e instanceof KubetraceError && e.hint ? `\nhint: ${e.hint}` : '';
  return { content: [{ type: 'text', text: redact(`error: ${errorMessage(e)}${hint}`) }], isError: true };
}

function createServer(o: ServerOptions): McpServer {
  const server = new McpServer({ name: 'kubetrace', version: VERSION });
  // The kubeconfig is read at the first call, so a cluster that is down shows as a tool error, not a dead server.
  let session: Promise<Session> | undefined;
  const cluster = () => {
    session ??= connect({ kubeconfig: o.kubeconfig, context: o.context }).catch((e: unknown) => {
      session = undefined;
      throw e;
    });
    return session;
  };
  const history: Trace[] = [];
  const tool = <A>(fn: (args: A, signal: AbortSignal) => Promise<string>) => {
    return async (args: A, extra: { signal: AbortSignal }): Promise<ToolResult> => {
      try {
        return ok(await fn(args, extra.signal));
      } catch (e) {
        return failure(e);
      }
    };
  };

  server.registerTool(
    TOOL_NAMES.listRoutes,
    {
      description: TOOL_DESCRIPTIONS.listRoutes,
      inputSchema: { namespace: z.string().optional().describe('only this namespace') },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    tool(async ({ namespace }: { namespace?: string }, signal) => {
      const s = await cluster();
      const tree = await readRouteTree(s.api, { namespace, fallbackNamespace: s.config.namespace, signal });
      const notes = tree.notices.map((n) => `note: ${n}\n`).join('');
      return `context ${s.config.contextName}${isSandbox(s.config) ? ' (the Kubetrace sandbox)' : ''}\n${notes}${routesText(tree.entries)}`;
    }),
  );

  server.registerTool(
    TOOL_NAMES.probe,
    {
      description: TOOL_DESCRIPTIONS.probe,
      inputSchema: {
        route: z.string().describe('the route to probe: NAMESPACE/NAME of an Ingress, e.g. shop/orders'),
        host: z.string().optional().describe('the Host to send, when the route has several'),
        path: z.string().optional().describe('the path to send, e.g. /orders/fail'),
        method: z.string().optional().describe('the HTTP method (default GET)'),
        headers: z.record(z.string()).optional().describe('extra request headers'),
        body: z.string().optional().describe('a request body (needs --allow-writes)'),
      },
      annotations: { readOnlyHint: false, destructiveHint: o.allowWrites, openWorldHint: true },
    },
    tool(async (a: ProbeArgs, signal) => {
      const ref = parseRouteRef(a.route);
      if (ref.kind === 'HTTPRoute')
        throw new UsageError(
          'probing HTTPRoutes is not available in this version',
          'probe an Ingress (NAMESPACE/NAME) instead',
        );
      const s = await cluster();
      const method = (a.method ?? 'GET').toUpperCase();
      if (!/^[A-Z]+$/.test(method)) throw new UsageError(`"${a.method}" is not an HTTP method`);
      const sandbox = isSandbox(s.config);
      const refusal = probeRefusal(method, !!a.body, { sandbox, allowWrites: o.allowWrites, outsideSandbox: o.yes });
      if (refusal) throw refusal;
      const r = await probeForAgent(
        {
          config: s.config,
          api: s.api,
          namespace: ref.namespace,
          name: ref.name,
          host: a.host,
          path: a.path,
          method,
          headers: a.headers,
          body: a.body === undefined ? undefined : Buffer.from(a.body),
          confirmed: o.allowWrites && (sandbox || o.yes),
          signal,
        },
        {
          workspaceFolders: [o.workspace],
          pathMappings: o.pathMappings,
          nginxSource: o.nginxSource,
          haproxySource: o.haproxySource,
          kubeconfigFile: s.config.files[0],
          config: s.config,
        },
      );
      // A probe cancelled mid-way may still come back with what it had; the client gave up on it, so keep nothing.
      signal.throwIfAborted();
      history.unshift(redactTrace(r.trace));
      if (history.length > HISTORY) history.length = HISTORY;
      return r.text;
    }),
  );

  server.registerTool(
    BURST_TOOL.name,
    {
      description: BURST_TOOL.description,
      inputSchema: {
        route: z.string().describe('the route: NAMESPACE/NAME of an Ingress or HTTPRoute, e.g. shop/orders'),
        count: z.number().int().optional().describe(`how many requests (default 20, at most ${BURST_LIMITS.agentMax})`),
        concurrency: z.number().int().optional().describe('requests in flight at once (default 4)'),
        host: z.string().optional().describe('the Host to send, when the route has several'),
        path: z.string().optional().describe('the path to send, e.g. /orders/fail'),
        method: z.string().optional().describe('the HTTP method (default GET)'),
        headers: z.record(z.string()).optional().describe('extra request headers'),
      },
      annotations: { readOnlyHint: false, destructiveHint: o.allowWrites, openWorldHint: true },
    },
    tool(async (a: ProbeArgs & { count?: number; concurrency?: number }, signal) => {
      const ref = parseRouteRef(a.route);
      const count = a.count ?? 20;
      if (count < 1 || count > BURST_LIMITS.agentMax)
        throw new UsageError(`an agent's burst is 1 to ${BURST_LIMITS.agentMax} requests, not ${count}`);
      const s = await cluster();
      const method = (a.method ?? 'GET').toUpperCase();
      if (!/^[A-Z]+$/.test(method)) throw new UsageError(`"${a.method}" is not an HTTP method`);
      const sandbox = isSandbox(s.config);
      const refusal = probeRefusal(method, false, { sandbox, allowWrites: o.allowWrites, outsideSandbox: o.yes });
      if (refusal) throw refusal;
      const burst = await runBurst({
        config: s.config,
        api: s.api,
        ...ref,
        host: a.host,
        path: a.path,
        method,
        headers: a.headers,
        count,
        concurrency: a.concurrency,
        confirmed: sandbox || o.yes,
        signal,
      });
      return redact(burstText(burst.report()));
    }),
  );

  server.registerTool(
    TOOL_NAMES.explainTrace,
    {
      description: TOOL_DESCRIPTIONS.explainTrace,
      inputSchema: {
        traceId: z.string().optional().describe('a trace id from an earlier probe (default: the latest)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    tool(async ({ traceId }: { traceId?: string }) => {
      const trace = traceId ? history.find((t) => t.traceId === traceId.trim().toLowerCase()) : history[0];
      if (!trace)
        throw new UsageError(
          traceId ? `no trace ${traceId} in this session` : 'no trace yet in this session',
          history.length
            ? `known trace ids: ${history.map((t) => t.traceId).join(', ')}`
            : `send a probe first with ${TOOL_NAMES.probe}`,
        );
      return summarizeTrace(trace, { workspaceFolders: [o.workspace] });
    }),
  );
  return server;
}

interface ProbeArgs {
  route: string;
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}
