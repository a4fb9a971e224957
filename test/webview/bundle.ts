// The panel bundle the harness serves: dist/webview.js when it is newer than every source it is built
// from, else a fresh build (same esbuild options as scripts/build.mjs) into a temp folder, so a test run
// never checks a stale bundle and never writes dist/ while other builds may be writing it.
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let cached: Promise<string> | undefined;

/** A folder holding webview.js and webview.css. */
export function webviewBundleDir(): Promise<string> {
  cached ??= (async () => {
    const dist = join(REPO, 'dist');
    const js = join(dist, 'webview.js');
    const css = join(dist, 'webview.css');
    const sources = Math.max(
      newest(join(REPO, 'webview')),
      newest(join(REPO, 'src/protocol')),
      statSync(join(REPO, 'src/core/trace/model.ts')).mtimeMs,
    );
    if (existsSync(js) && existsSync(css) && statSync(js).mtimeMs >= sources && statSync(css).mtimeMs >= sources)
      return dist;
    const out = mkdtempSync(join(tmpdir(), 'kubetrace-webview-'));
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    await build({
      absWorkingDir: REPO,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: true,
      minify: true,
      logLevel: 'warning',
      entryPoints: { webview: 'webview/main.ts' },
      outdir: out,
      loader: { '.css': 'css' },
    });
    return out;
  })();
  return cached;
}
