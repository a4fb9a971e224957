// Serves the trace panel exactly as VS Code would (the real renderPanelHtml, the same CSP) on loopback,
// with a stub host API, and drives Debian's Chromium through playwright-core.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToWebview } from '../../src/protocol/messages';
import { renderPanelHtml } from '../../src/vscode/panel-html';
import { webviewBundleDir } from './bundle';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface Harness {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css', map: 'application/json' };

/** Only these files are served; anything else is 404, so no path from a request reaches the disk. */
export async function startHarness(): Promise<Harness> {
  const bundle = await webviewBundleDir();
  const files: Record<string, string> = {
    '/dist/webview.js': join(bundle, 'webview.js'),
    '/dist/webview.js.map': join(bundle, 'webview.js.map'),
    '/dist/webview.css': join(bundle, 'webview.css'),
    '/test/stub.js': join(__dirname, 'page/stub.js'),
    '/test/webview-defaults.css': join(__dirname, 'page/webview-defaults.css'),
    '/test/theme.css': join(__dirname, 'page/theme.css'),
    '/test/themes.css': join(__dirname, 'page/themes.css'),
  };
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/panel.html') {
      const html = renderPanelHtml({
        cspSource: origin,
        nonce: randomBytes(16).toString('base64'),
        scriptUri: `${origin}/dist/webview.js`,
        styleUri: `${origin}/dist/webview.css`,
        preloadScriptUris: [`${origin}/test/stub.js`],
        baseStyleUris: [`${origin}/test/webview-defaults.css`],
        extraStyleUris: [`${origin}/test/theme.css`, `${origin}/test/themes.css`],
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = files[path];
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, {
        'content-type': TYPES[file.split('.').pop()!] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/panel.html`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** Dark Modern, Light Modern, Dark High Contrast, Light High Contrast. */
export type Theme = 'dark' | 'light' | 'hc' | 'hc-light';
export const THEMES: Theme[] = ['dark', 'light', 'hc', 'hc-light'];

export interface Panel {
  page: Page;
  errors: string[];
  post(msg: HostToWebview | unknown): Promise<void>;
  posted(): Promise<unknown[]>;
  violations(): Promise<unknown[]>;
  reload(): Promise<void>;
}

/** Opens the panel in a fresh context (fresh sessionStorage) at 1280×800. */
export async function openPanel(browser: Browser, h: Harness, theme: Theme = 'dark'): Promise<Panel> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  const load = async () => {
    await page.waitForFunction(() =>
      (window as unknown as { __posted?: { type: string }[] }).__posted?.some((m) => m.type === 'ready'),
    );
    await page.evaluate(() => customElements.whenDefined('vscode-tabs'));
  };
  await page.goto(`${h.url}?theme=${theme}`);
  await load();
  return {
    page,
    errors,
    // As a JSON string: playwright's own argument serialization is very slow for a 10,000-span trace.
    post: (msg) =>
      page.evaluate(
        (json) => (window as unknown as { __host: { post(m: unknown): void } }).__host.post(JSON.parse(json)),
        JSON.stringify(msg),
      ),
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted),
    violations: () => page.evaluate(() => (window as unknown as { __cspViolations: unknown[] }).__cspViolations),
    reload: async () => {
      await page.reload();
      await load();
    },
  };
}

/** Let Lit components finish their updates and the browser lay out. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(undefined)))),
  );
}
