// `npm run test:vscode`: the extension-host suite on a downloaded VS Code (@vscode/test-electron).
// It needs internet to download VS Code, so it cannot run on the project's CI machines; the e2e flows in
// test/e2e (code-server + Chromium) cover everything it checks. See README, "Tests".
const path = require('node:path');
const { runTests } = require('@vscode/test-electron');

async function main() {
  const root = path.resolve(__dirname, '..', '..');
  const kubeconfig = process.env.KUBETRACE_TEST_KUBECONFIG;
  if (!kubeconfig) {
    console.error(
      'error: set KUBETRACE_TEST_KUBECONFIG to a sandbox kubeconfig (start one with `npx kubetrace sandbox`)',
    );
    process.exit(2);
  }
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
    launchArgs: ['--disable-extensions', root],
    extensionTestsEnv: { KUBETRACE_TEST_KUBECONFIG: kubeconfig },
  });
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
