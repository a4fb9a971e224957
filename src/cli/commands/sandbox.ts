// `kubetrace sandbox [--kubeconfig FILE] [--manifests DIR]... [--scale N]`: starts the sandbox cluster, prints
// one ready line on stdout, and runs until SIGINT/SIGTERM. Everything else goes to stderr.
import { bool, int, list, parseArgs, str } from '../args';
import { KubetraceError } from '../../core/errors';
import type { Sandbox, SandboxOptions } from '../../sandbox/sandbox';

export const SANDBOX_FLAGS = {
  kubeconfig: { type: 'string' },
  manifests: { type: 'list' },
  scale: { type: 'string' },
  'pod-subnet': { type: 'string' },
  'single-address': { type: 'boolean' },
} as const;

export function sandboxOptions(argv: string[]): SandboxOptions {
  const p = parseArgs(argv, { ...SANDBOX_FLAGS });
  if (p.positional.length)
    throw new KubetraceError(
      `unexpected argument "${p.positional[0]}"`,
      'usage: kubetrace sandbox [--kubeconfig FILE] [--manifests DIR]... [--scale N] [--pod-subnet A.B.C] [--single-address]',
    );
  return {
    kubeconfigPath: str(p, 'kubeconfig'),
    manifestDirs: list(p, 'manifests'),
    scale: int(p, 'scale'),
    // The environment's subnet is how a caller that cannot pass flags (VS Code's Start Sandbox) chooses one.
    podSubnet: str(p, 'pod-subnet') ?? (process.env.KUBETRACE_POD_SUBNET || undefined),
    singleAddress: bool(p, 'single-address'),
    log: (line) => process.stderr.write(`sandbox: ${line}\n`),
  };
}

/** Starts the sandbox, stopping it again on SIGINT/SIGTERM (also during start). */
export async function runSandbox(
  opts: SandboxOptions,
  whenReady: (sb: Sandbox) => void | Promise<void>,
): Promise<number> {
  const { startSandbox } = await import('../../sandbox/sandbox');
  let signalled: NodeJS.Signals | undefined;
  let wake: () => void = () => {};
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) return;
    signalled = sig;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let sb: Sandbox | undefined;
  try {
    sb = await startSandbox(opts);
    if (!signalled) {
      await whenReady(sb);
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (signalled) resolve();
      });
    }
    process.stderr.write(`sandbox: ${signalled}, stopping\n`);
    return 0;
  } catch (e) {
    if (signalled) return 130;
    if (e instanceof KubetraceError) throw e;
    throw new KubetraceError(
      `the sandbox did not start: ${(e as Error).message}`,
      'run with KUBETRACE_DEBUG=1 for details',
    );
  } finally {
    await sb?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function run(argv: string[]): Promise<number> {
  return runSandbox(sandboxOptions(argv), (sb) => {
    process.stdout.write(`kubetrace sandbox ready kubeconfig=${sb.kubeconfigPath} api=${sb.apiUrl}\n`);
  });
}
