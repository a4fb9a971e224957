// `kubetrace internal <subcommand>`: processes the sandbox runs as pods. Not part of the user-facing CLI.
import { int, parseArgs, str } from '../args';
import { errorMessage, KubetraceError, UsageError } from '../../core/errors';

type Sub = (argv: string[]) => Promise<number>;
const subcommands: Record<string, Sub> = {
  'trace-store': traceStore,
};

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const sub = name ? subcommands[name] : undefined;
  if (!sub) {
    throw new UsageError(
      name ? `unknown internal command "${name}"` : 'missing internal command',
      `internal commands: ${Object.keys(subcommands).join(', ')}`,
    );
  }
  return sub(rest);
}

/** The trace-store pod: OTLP/HTTP in, Jaeger query API out. Runs until SIGTERM/SIGINT. */
async function traceStore(argv: string[]): Promise<number> {
  const p = parseArgs(argv, {
    host: { type: 'string' },
    'query-port': { type: 'string' },
    'otlp-port': { type: 'string' },
    'max-traces': { type: 'string' },
    'max-spans': { type: 'string' },
  });
  const host = str(p, 'host') ?? process.env.POD_IP ?? '127.0.0.1';
  const queryPort = int(p, 'query-port') ?? 16686;
  const otlpPort = int(p, 'otlp-port') ?? 4318;
  const { startTraceStore } = await import('../../sandbox/trace-store/server');
  const ts = await startTraceStore({
    host,
    queryPort,
    otlpPort,
    maxTraces: int(p, 'max-traces'),
    maxSpans: int(p, 'max-spans'),
    // From the environment, not argv, which any local user can read in ps.
    token: process.env.KUBETRACE_TRACE_STORE_TOKEN || undefined,
    onBatch: (b) => {
      process.stdout.write(
        `${new Date().toISOString()} received format=${b.format} spans=${b.spans} stored=${b.stored}` +
          ` duplicates=${b.duplicates} rejected=${b.rejected} traces=${b.traces} services=${b.services.join(',') || '-'}\n`,
      );
    },
    onError: (status, message) =>
      process.stdout.write(`${new Date().toISOString()} refused status=${status} ${JSON.stringify(message)}\n`),
  }).catch((e: unknown) => {
    const inUse = (e as { code?: string }).code === 'EADDRINUSE';
    throw new KubetraceError(
      `trace-store cannot listen on ${host}: ${errorMessage(e)}`,
      inUse
        ? 'pick free ports with --query-port/--otlp-port (0 picks any)'
        : '--host must be an address of this machine (e.g. a 127.x.y.z pod IP)',
    );
  });
  process.stdout.write(`trace-store ready query=${ts.queryUrl} otlp=${ts.otlpUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await ts.close();
  return 0;
}
