// Regenerates test/webview/page/themes.css from a real VS Code: starts code-server once per built-in theme
// (Dark Modern, Light Modern, Dark High Contrast, Light High Contrast) and copies every `--vscode-*` colour
// the workbench defines, which is the set VS Code hands to a webview. Run it under the machine's e2e lock:
//   flock /tmp/kubetrace-it.lock npx tsx test/webview/capture-themes.ts
// and `npx tsx test/webview/capture-themes.ts --trim` keeps only the names the panel reads.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_SERVER, freePort } from '../e2e/lib/code-server';
import { launchChromium } from './harness';

// `foreground` is the value in the theme's own file (theme-defaults/themes/*.json): until it shows, the
// workbench is still on its built-in fallback theme, which has the same class as Light Modern.
export const CAPTURED: { id: string; label: string; workbench: string; body: string; foreground: string }[] = [
  { id: 'Default Dark Modern', label: 'Dark Modern', workbench: 'vs-dark', body: 'vscode-dark', foreground: '#cccccc' },
  { id: 'Default Light Modern', label: 'Light Modern', workbench: 'vs', body: 'vscode-light', foreground: '#3b3b3b' },
  {
    id: 'Default High Contrast',
    label: 'Dark High Contrast',
    workbench: 'hc-black',
    body: 'vscode-high-contrast',
    foreground: '#ffffff',
  },
  {
    id: 'Default High Contrast Light',
    label: 'Light High Contrast',
    workbench: 'hc-light',
    body: 'vscode-high-contrast-light',
    foreground: '#292929',
  },
];

/** Every `--vscode-*` colour the workbench defines in one theme, set in the user settings before start. */
async function capture(t: (typeof CAPTURED)[number]): Promise<Record<string, string>> {
  const base = mkdtempSync(join(tmpdir(), 'kubetrace-themes-'));
  mkdirSync(join(base, 'user', 'User'), { recursive: true });
  mkdirSync(join(base, 'ws'));
  writeFileSync(
    join(base, 'user', 'User', 'settings.json'),
    JSON.stringify({
      'workbench.colorTheme': t.id,
      'window.autoDetectHighContrast': false,
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
    }),
  );
  const port = await freePort();
  const args = ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry'];
  const proc = spawn(
    CODE_SERVER,
    [...args, '--user-data-dir', join(base, 'user'), '--extensions-dir', join(base, 'ext'), join(base, 'ws')],
    { stdio: 'ignore', detached: true },
  );
  const browser = await launchChromium();
  try {
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; ; i++) {
      const ok = await fetch(url + 'healthz').then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 240) throw new Error('code-server did not start');
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url, { timeout: 120_000 });
    // The theme is applied once the built-in theme extensions have been scanned, a few seconds after load.
    await page.waitForSelector(`.monaco-workbench.${t.workbench}`, { timeout: 60_000 });
    await page.waitForFunction(
      (fg) =>
        getComputedStyle(document.querySelector('.monaco-workbench')!)
          .getPropertyValue('--vscode-foreground')
          .trim() === fg,
      t.foreground,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(1000);
    return await page.evaluate(() => {
      const vars: Record<string, string> = {};
      const style = getComputedStyle(document.querySelector('.monaco-workbench')!);
      for (let i = 0; i < style.length; i++) {
        const name = style[i];
        if (name.startsWith('--vscode-') && !/font|size|weight/.test(name))
          vars[name] = style.getPropertyValue(name).trim();
      }
      return vars;
    });
  } finally {
    await browser.close();
    process.kill(-proc.pid!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(base, { recursive: true, force: true });
  }
}

/** The `--vscode-*` names the panel can read: its own CSS and webview code, and the @vscode-elements it uses. */
export function usedNames(repo = join(__dirname, '..', '..')): Set<string> {
  const names = new Set<string>();
  const scan = (p: string) => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) scan(join(p, e));
    else if (/\.(css|ts|js)$/.test(p))
      for (const m of readFileSync(p, 'utf8').matchAll(/--vscode-[\w.-]+/g)) names.add(m[0]);
  };
  scan(join(repo, 'webview'));
  scan(join(repo, 'test', 'webview', 'page', 'webview-defaults.css'));
  scan(join(repo, 'node_modules', '@vscode-elements', 'elements', 'dist'));
  return names;
}

async function main(): Promise<void> {
  let css =
    '/* Generated by test/webview/capture-themes.ts from code-server 4.100.3 (VS Code 1.100.3): the colours the\n' +
    "   workbench gives a webview (those the panel reads), per built-in theme, set as VS Code sets them (on the panel's body). */\n";
  for (const t of CAPTURED) {
    const vars = await capture(t);
    const names = Object.keys(vars).sort();
    if (Object.keys(vars).length < 200) throw new Error(`only ${names.length} colours captured for ${t.label}`);
    const sel =
      t.body === 'vscode-high-contrast'
        ? 'body.vscode-high-contrast:not(.vscode-high-contrast-light)'
        : `body.${t.body}`;
    css += `${sel} {\n${names.map((n) => `  ${n}: ${vars[n]};`).join('\n')}\n}\n`;
    console.log(`${t.label}: ${names.length} colours`);
  }
  writeFileSync(join(__dirname, 'page', 'themes.css'), css);
}

/** `--trim`: drops from the captured file the colours the panel no longer reads (after a CSS change). */
function trim(): void {
  const file = join(__dirname, 'page', 'themes.css');
  const used = usedNames();
  const lines = readFileSync(file, 'utf8').split('\n');
  writeFileSync(file, lines.filter((l) => !/^ {2}--vscode-/.test(l) || used.has(l.trim().split(':')[0])).join('\n'));
}

if (require.main === module && process.argv.includes('--trim')) trim();
else if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
