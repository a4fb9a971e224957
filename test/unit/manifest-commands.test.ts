// Every command package.json declares is registered by the extension, and every registered command is declared;
// menus refer only to declared commands; tree-only commands are hidden from the palette.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const declared: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
const sources = readdirSync(join(root, 'src', 'vscode'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(root, 'src', 'vscode', f), 'utf8'))
  .join('\n');
const registered = [...sources.matchAll(/(?:reg|registerCommand)\(\s*'(kubetrace\.[A-Za-z.]+)'/g)].map((m) => m[1]);

test('every declared command is registered, and the other way round', () => {
  assert.ok(declared.length >= 15);
  assert.deepEqual(
    declared.filter((c) => !registered.includes(c)),
    [],
    'declared but not registered',
  );
  assert.deepEqual(
    registered.filter((c) => !declared.includes(c)),
    [],
    'registered but not declared',
  );
});

test('commands share one category and menus name only declared commands', () => {
  assert.deepEqual([...new Set(pkg.contributes.commands.map((c: { category: string }) => c.category))], ['Kubetrace']);
  for (const [menu, items] of Object.entries(pkg.contributes.menus) as [
    string,
    { command: string; when?: string }[],
  ][]) {
    for (const i of items) assert.ok(declared.includes(i.command), `${menu} names ${i.command}`);
  }
});

test('tree-only commands are hidden from the palette, and probes need a trusted workspace', () => {
  const palette = new Map(
    pkg.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]),
  );
  for (const c of ['kubetrace.sendProbe', 'kubetrace.sendProbeWithOptions', 'kubetrace.sendProbeFromKubernetesTools'])
    assert.equal(palette.get(c), 'false', c);
  const probe = pkg.contributes.commands.find((c: { command: string }) => c.command === 'kubetrace.sendProbe');
  assert.match(probe.enablement, /isWorkspaceTrusted/);
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual(pkg.extensionKind, ['workspace']);
});

test('every setting docs/ARCHITECTURE.md lists is contributed', () => {
  const props = Object.keys(pkg.contributes.configuration.properties);
  for (const s of [
    'kubetrace.kubeconfig',
    'kubetrace.pathMappings',
    'kubetrace.workloadFolders',
    'kubetrace.nginx.sourcePath',
    'kubetrace.haproxy.sourcePath',
    'kubetrace.nginx.version',
    'kubetrace.nginx.downloadBaseUrl',
    'kubetrace.tls.insecure',
    'kubetrace.tls.caFile',
    'kubetrace.traceBackend',
    'kubetrace.probe.timeoutMs',
    'kubetrace.probe.confirmOutsideSandbox',
  ]) {
    assert.ok(props.includes(s), s);
  }
});

test('the package does not depend on the archived webview-ui-toolkit', () => {
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  assert.equal(deps['@vscode/webview-ui-toolkit'], undefined);
  assert.ok(deps['@vscode-elements/elements']);
});
