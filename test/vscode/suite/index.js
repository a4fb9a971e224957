// Runs inside the VS Code extension host: activation, command registration, and the tree on the sandbox.
const assert = require('node:assert/strict');
const vscode = require('vscode');

async function run() {
  const failures = [];
  const check = async (name, fn) => {
    try {
      await fn();
      console.log(`ok - ${name}`);
    } catch (e) {
      failures.push(name);
      console.error(`not ok - ${name}\n${e.stack}`);
    }
  };
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'kubetrace');
  await check('the extension activates within 100 ms', async () => {
    const api = await ext.activate();
    assert.ok(api.activationMs < 100, `activation took ${api.activationMs} ms`);
  });
  await check('every declared command is registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = ext.packageJSON.contributes.commands.map((c) => c.command).filter((c) => !all.has(c));
    assert.deepEqual(missing, []);
  });
  await check('the tree lists the sandbox Ingresses', async () => {
    await vscode.workspace
      .getConfiguration('kubetrace')
      .update('kubeconfig', process.env.KUBETRACE_TEST_KUBECONFIG, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('kubetrace.cluster.focus');
    await vscode.commands.executeCommand('kubetrace.refresh');
    const deadline = Date.now() + 20000;
    let names = [];
    while (Date.now() < deadline) {
      names = ext.exports.entryNames();
      if (names.includes('orders')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(names.includes('orders'), `tree shows ${names.join(', ')}`);
  });
  if (failures.length) throw new Error(`${failures.length} extension-host test(s) failed: ${failures.join(', ')}`);
}
module.exports = { run };
