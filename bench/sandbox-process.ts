// A sandbox in a process of its own, for benches that time a client against it (probe.bench.ts). In the bench's
// process, the sandbox's work for each request (nginx's debug log read line by line, the API stand-in, the trace
// store's intake) ran on the event loop of the probe being timed, while curl, the other side of each pair, ran
// apart: the probe was charged for the cluster's work. A cluster is never in the probe's process.
// Run as a script it starts the sandbox, prints one JSON line (SandboxInfo) once it is ready, and stops it when its
// stdin closes (the bench ended, or died).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startSandbox } from '../src/sandbox/sandbox';

export interface SandboxInfo {
  kubeconfigPath: string;
  ingress: { ip: string; httpPort: number; httpsPort: number };
  /** The address of the Gateway `nginx-gateway/shop-gateway`. */
  gatewayIp: string;
}

/** Starts the sandbox in a child process; `stop()` ends it and resolves once it has stopped. */
export async function sandboxProcess(
  podSubnet: string,
  kubeconfigPath: string,
): Promise<SandboxInfo & { stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, podSubnet, kubeconfigPath], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', () => resolve(undefined));
  });
  const stop = async () => {
    child.stdin.end();
    await exited;
  };
  if (first === undefined) throw new Error('the sandbox process ended before it was ready');
  return { ...(JSON.parse(first) as SandboxInfo), stop };
}

async function main(): Promise<void> {
  const [podSubnet, kubeconfigPath] = process.argv.slice(2);
  const sb = await startSandbox({ podSubnet, kubeconfigPath });
  const status = sb.store.get('Gateway', 'nginx-gateway', 'shop-gateway')?.status as
    { addresses?: { value: string }[] } | undefined;
  const gatewayIp = status?.addresses?.[0]?.value ?? '';
  const info: SandboxInfo = { kubeconfigPath: sb.kubeconfigPath, ingress: sb.ingress, gatewayIp };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void sb.stop().then(() => process.exit(0));
  };
  process.stdin.once('end', stop);
  process.stdin.once('close', stop);
  process.stdin.resume();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, stop);
}

if (require.main === module) void main();
