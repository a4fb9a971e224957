// Bundle sizes of a production build: the extension's first file, everything shipped, the webview, and the sandbox
// the .vsix ships (loaded only by Start Sandbox, so counted apart from the rest).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchRow } from './run';

const ROOT = resolve(__dirname, '..');
const kb = (f: string) => statSync(join(ROOT, 'dist', f)).size / 1024;
/** A file's or a folder's size in KB, as the .vsix ships it (.vscodeignore). */
const treeKb = (p: string): number => {
  const st = statSync(join(ROOT, p));
  if (!st.isDirectory()) return st.size / 1024;
  return readdirSync(join(ROOT, p)).reduce((n, f) => n + treeKb(join(p, f)), 0);
};

export default async function bench(): Promise<BenchRow[]> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--production'], { cwd: ROOT, stdio: 'ignore' });
  const ext = kb('extension.js'),
    engine = kb('engine.js'),
    kube = kb('kube.js'),
    web = kb('webview.js') + kb('webview.css'),
    worker = kb('log-worker.js');
  const all = ext + engine + kube + web + worker;
  // dist/kube.js, which the sandbox's API stand-in also loads, is counted with the extension's bundles above.
  const cli = kb('cli.js'),
    otel = kb('sandbox-otel.js'),
    apps = treeKb('src/sandbox/apps') + treeKb('src/sandbox/manifests');
  const sandbox = cli + otel + apps;
  // Rebuild with source maps so that later benches and tests use the development bundles.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore' });
  return [
    {
      measure: 'bundle: dist/extension.js',
      value: ext,
      unit: 'KB',
      goal: '<= 300',
      pass: ext <= 300,
      detail: 'client-node (dist/kube.js) and the probe engine (dist/engine.js) are required on first use',
    },
    {
      measure: 'bundle: all shipped JS',
      value: all,
      unit: 'KB',
      goal: '<= 2560',
      pass: all <= 2560,
      detail:
        `extension ${ext.toFixed(0)} + engine ${engine.toFixed(0)} + kube ${kube.toFixed(0)} + webview ` +
        `${web.toFixed(0)} + log worker ${worker.toFixed(0)} KB`,
    },
    { measure: 'bundle: webview', value: web, unit: 'KB', goal: '<= 400', pass: web <= 400 },
    {
      measure: 'bundle: shipped sandbox',
      value: sandbox,
      unit: 'KB',
      goal: '<= 3072',
      pass: sandbox <= 3072,
      detail: `cli ${cli.toFixed(0)} + OpenTelemetry ${otel.toFixed(0)} + apps and manifests ${apps.toFixed(0)} KB; loaded only by Start Sandbox`,
    },
  ];
}
