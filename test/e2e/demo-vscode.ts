// `npm run demo:vscode`: the e2e set-up for trying Kubetrace by hand. It builds the .vsix, starts the sandbox
// cluster, copies the demo workspace (the apps' sources, their Ingress YAML and the nginx source) and starts
// code-server with the extension installed and pointed at the sandbox. Open the printed URL in a browser;
// Ctrl-C stops everything. `--pod-subnet 127.10.N` moves the sandbox's pods off the default 127.10.0.
import { startEnv } from './lib/env';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--pod-subnet');
  const podSubnet = i > 0 ? process.argv[i + 1] : undefined;
  const quiet = process.argv.includes('--quiet');
  console.error('kubetrace demo:vscode: building the extension and starting the sandbox and code-server...');
  const env = await startEnv({
    podSubnet,
    log: (l) => {
      if (!quiet && !/^sandbox: pod /.test(l)) console.error(`  ${l}`);
    },
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping code-server and the sandbox...`);
    await env.stop();
    console.error('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  console.log('');
  console.log(`Kubetrace in VS Code (code-server): ${env.cs.url}`);
  console.log(`  workspace:  ${env.workspace}`);
  console.log(`  kubeconfig: ${env.sandbox.kubeconfigPath} (context kubetrace-sandbox)`);
  console.log(`  API server: ${env.sandbox.apiUrl}`);
  console.log(
    'Open the URL, click the Kubetrace icon in the activity bar, right-click "orders" and choose Send Probe.',
  );
  console.log('Press Ctrl-C to stop.');
  void env.sandbox.exited.then((code) => {
    if (!stopping) {
      console.error(`the sandbox stopped by itself (exit ${code}); stopping code-server`);
      void stop('sandbox exit');
    }
  });
  setInterval(() => {}, 1 << 30);
}

main().catch((e) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
