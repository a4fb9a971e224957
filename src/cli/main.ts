// The `kubetrace` command. Each command lives in its own file under commands/ and is loaded on demand.
import { KubetraceError, UsageError, errorMessage } from '../core/errors';

type Command = (argv: string[]) => Promise<number | void>;
const commands: Record<string, () => Promise<Command>> = {
  sandbox: async () => (await import('./commands/sandbox')).run,
  ingresses: async () => (await import('./commands/ingresses')).run,
  probe: async () => (await import('./commands/probe')).run,
  import: async () => (await import('./commands/import')).run,
  export: async () => (await import('./commands/export')).run,
  demo: async () => (await import('./commands/demo')).run,
  internal: async () => (await import('./commands/internal')).run,
};

const usage = `usage: kubetrace <command> [options]

commands:
  sandbox     start the local sandbox cluster
  ingresses   list Ingresses and HTTPRoutes with their backends
  probe       send one traced probe through an Ingress and print the waterfall
  import      read a trace file or an nginx access log
  export      convert Kubetrace Trace JSON to OTLP or Jaeger JSON
  demo        the sandbox plus two traced probes (what \`npm run demo\` runs)`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage + '\n');
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) throw new UsageError(`unknown command "${name}"`, 'run `kubetrace --help` for the list');
  const run = await load();
  return (await run(rest)) ?? 0;
}

export function reportError(e: unknown): number {
  if (e instanceof KubetraceError) {
    process.stderr.write(`error: ${e.message}\n`);
    if (e instanceof UsageError && e.candidates?.length) process.stderr.write(e.candidates.map((c) => `  ${c}\n`).join(''));
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  process.stderr.write(`error: ${errorMessage(e)}\n`);
  if (process.env.KUBETRACE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.exitCode = reportError(e); },
);
