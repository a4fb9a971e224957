// Driving the VS Code workbench (code-server in Chromium) the way a user does: the activity bar, the Cluster
// tree, context menus, the command palette, the simple file dialog, the editor and the trace panel webview.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { ROOT } from './code-server';
import { THEMES, type Theme } from './env';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const exact = (s: string) => new RegExp(`^${esc(s)}$`);

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---- the Cluster tree -------------------------------------------------------------------------------------------

export function openKubetraceView(page: Page): Promise<void> {
  return openActivityView(page, 'Kubetrace');
}

/** Shows the side bar container whose activity-bar icon is labelled `label` (clicking only when it is hidden). */
export async function openActivityView(page: Page, label: string): Promise<void> {
  const shown = page.locator('.sidebar .composite.title', { hasText: new RegExp(`^${label}`, 'i') });
  if (!(await shown.isVisible().catch(() => false))) {
    const icon = page.locator(`.activitybar [aria-label^="${label}"]`).first();
    await icon.waitFor({ timeout: 30_000 });
    await icon.click();
  }
  await shown.waitFor({ timeout: 30_000 });
}

/** Tree rows of the Cluster view whose label is exactly `label`. */
export function treeRow(page: Page, label: string | RegExp): Locator {
  return page
    .locator('.sidebar [role="treeitem"]')
    .filter({ has: page.locator('.label-name', { hasText: typeof label === 'string' ? exact(label) : label }) });
}

export async function treeLabels(
  page: Page,
): Promise<{ label: string; description: string; level: number; icon: string }[]> {
  return page.locator('.sidebar [role="treeitem"]').evaluateAll((rows) =>
    rows.map((r) => ({
      label: r.querySelector('.label-name')?.textContent ?? '',
      description: r.querySelector('.label-description')?.textContent ?? '',
      level: Number(r.getAttribute('aria-level')),
      icon: [...r.querySelectorAll('.custom-view-tree-node-item-icon, .codicon')].map((i) => i.className).join(' '),
    })),
  );
}

export async function expandRow(row: Locator): Promise<void> {
  await row.first().waitFor({ timeout: 20_000 });
  if ((await row.first().getAttribute('aria-expanded')) === 'false') await row.first().click();
  await waitFor(
    'the tree row to expand',
    async () => (await row.first().getAttribute('aria-expanded')) === 'true',
    15_000,
  );
}

// ---- menus, palette, dialogs ------------------------------------------------------------------------------------

export async function contextMenuItem(page: Page, row: Locator, item: string): Promise<void> {
  const menu = page.locator('.context-view .monaco-menu');
  const entry = menu
    .locator('[role="menuitem"]')
    .filter({ has: page.locator('.action-label', { hasText: exact(item) }) })
    .first();
  for (let attempt = 1; ; attempt++) {
    if (!(await menu.isVisible().catch(() => false))) {
      await row.click({ button: 'right' });
      await entry.waitFor({ timeout: 10_000 });
    }
    // The menu fades in; a click during that can be lost, so hover first and check that the menu went away.
    await entry.hover();
    await page.waitForTimeout(150);
    await entry.click();
    if (
      await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    await page.keyboard.press('Enter');
    if (
      await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    if (attempt >= 3) throw new Error(`the context menu item "${item}" did not run after ${attempt} tries`);
  }
}

/** Clicks an inline action (e.g. the play icon) that shows on a tree row when it is hovered. */
export async function inlineAction(row: Locator, label: string): Promise<void> {
  await row.first().hover();
  const action = row.first().locator(`.actions .action-label[aria-label^="${label}"]`);
  await action.first().waitFor({ timeout: 10_000 });
  await action.first().click();
}

export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // Keep the "..." out of the query: the option is matched on the rest, which is unique enough.
  const query = title.replace(/(\.\.\.|…)$/, '');
  const item = page.locator('.quick-input-widget .quick-input-list [role="option"]', { hasText: query }).first();
  // The palette lists the commands known when it opens; a fresh window registers the extensions' commands a few
  // seconds after it loads, so reopen it until the command is there.
  await waitFor(
    `the command "${title}" in the palette`,
    async () => {
      // An open context menu (a screenshot may have left one) keeps the keyboard: close it first.
      if (
        await page
          .locator('.context-view .monaco-menu')
          .isVisible()
          .catch(() => false)
      )
        await page.keyboard.press('Escape');
      await dismissQuickInput(page);
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 10_000 });
      // A webview that takes focus just after it is shown closes the palette (it closes on blur) between the
      // wait and the fill: a short fill timeout lets the loop open it again instead of spending its whole budget.
      if (
        !(await input.fill(`>${query}`, { timeout: 2000 }).then(
          () => true,
          () => false,
        ))
      )
        return false;
      return item.waitFor({ timeout: 1500 }).then(
        () => true,
        () => false,
      );
    },
    30_000,
    500,
  );
  await item.click();
}

/**
 * Puts the workbench back to a usable state before a flow: a modal error left by an earlier flow (e.g. "Command
 * ... resulted in an error") blocks every click, so it is reported and closed, and so are quick inputs.
 */
export async function resetWorkbench(page: Page, log: (l: string) => void): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  for (let i = 0; i < 5 && (await dialog.isVisible().catch(() => false)); i++) {
    log(`closing a modal dialog left open: ${(await dialog.innerText().catch(() => '')).replace(/\s+/g, ' ').trim()}`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    if (await dialog.isVisible().catch(() => false))
      await dialog
        .locator('.dialog-buttons .monaco-button')
        .last()
        .click()
        .catch(() => {});
  }
  if (
    await page
      .locator('.context-view .monaco-menu')
      .isVisible()
      .catch(() => false)
  ) {
    log('closing a context menu left open');
    await page.keyboard.press('Escape');
  }
  await dismissQuickInput(page);
}

export async function dismissQuickInput(page: Page): Promise<void> {
  if (
    await page
      .locator('.quick-input-widget')
      .isVisible()
      .catch(() => false)
  )
    await page.keyboard.press('Escape');
}

/** code-server's simple file dialog: type an absolute path and accept it. */
export async function pickFileInSimpleDialog(page: Page, file: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 15_000 });
  await waitFor(
    'the file dialog to show a path',
    async () => ((await input.inputValue()) ?? '').startsWith('/'),
    10_000,
  );
  await input.fill(file);
  // The dialog validates what was typed and lists the folder; give it a moment before accepting.
  await waitFor(
    'the file dialog to accept the path',
    async () => {
      if (!(await page.locator('.quick-input-widget').isVisible())) return true;
      if ((await input.inputValue()) !== file) await input.fill(file);
      await input.press('Enter');
      await page.waitForTimeout(400);
      return !(await page.locator('.quick-input-widget').isVisible());
    },
    15_000,
    100,
  );
}

// ---- editor -----------------------------------------------------------------------------------------------------

export interface EditorState {
  tab: string;
  breadcrumbs: string;
  line: number;
  column: number;
  visibleText: string;
}

export async function activeEditor(page: Page): Promise<EditorState> {
  const group = page.locator('.editor-group-container.active');
  const tab = group.locator('.tab.active');
  const status =
    (await page
      .locator('[id="status.editor.selection"]')
      .innerText()
      .catch(() => '')) || '';
  const m = /Ln (\d+), Col (\d+)/.exec(status);
  return {
    tab: (
      (await tab
        .locator('.label-name')
        .first()
        .textContent()
        .catch(() => '')) ?? ''
    ).trim(),
    // The breadcrumbs show the file's folders inside the workspace, e.g. "apps › orders › server.js".
    breadcrumbs: (
      await group
        .locator('.monaco-breadcrumbs .monaco-breadcrumb-item')
        .allTextContents()
        .catch(() => [] as string[])
    )
      .map((t) => t.trim())
      .filter(Boolean)
      .join('/'),
    line: m ? Number(m[1]) : -1,
    column: m ? Number(m[2]) : -1,
    visibleText: (
      await group
        .locator('.view-lines')
        .first()
        .innerText()
        .catch(() => '')
    ).replace(/\u00a0/g, ' '),
  };
}

// ---- trace panel (webview) ----------------------------------------------------------------------------------------

/** The panel's content frame: iframe.webview, then its #active-frame. */
export function panel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/** The panel's frame as a Frame, for evaluate(). */
export async function panelFrame(page: Page): Promise<Frame> {
  return waitFor(
    'the trace panel frame',
    async () => {
      const outer = await page.locator('iframe.webview.ready').last().elementHandle({ timeout: 1000 });
      const outerFrame = await outer?.contentFrame();
      const inner = await outerFrame?.locator('#active-frame').elementHandle({ timeout: 1000 });
      const f = await inner?.contentFrame();
      return f && (await f.locator('#app').count()) ? f : undefined;
    },
    30_000,
  );
}

export function spanRow(p: FrameLocator, name: string, service?: string): Locator {
  // The trace's own waterfall: a route compare shown earlier keeps its two waterfalls in the page, hidden.
  // The row shows its service only when it differs from its parent's; the tooltip always starts "name · service".
  const rows = p
    .locator('.kt-trace .wf-row:not([hidden])')
    .filter({ has: p.locator('.wf-name', { hasText: exact(name) }) });
  if (!service) return rows;
  // The tooltip may go on (" · owns 17% of the request on the critical path").
  const t = `${name} · ${service}`.replace(/["\\]/g, '\\$&');
  return rows.and(p.locator(`.kt-trace .wf-row[title="${t}"], .kt-trace .wf-row[title^="${t} · "]`));
}

export async function layersShown(p: FrameLocator): Promise<string[]> {
  return p.locator('.kt-trace .wf-row--layer:not([hidden]) .wf-name').allTextContents();
}

// ---- themes and screenshots ---------------------------------------------------------------------------------------

/** A built-in colour theme: its name in the picker, the workbench's class, and the class VS Code gives a webview body. */
export interface ColorTheme {
  label: string;
  workbench: string;
  body: string;
}

export const COLOR_THEMES: Record<Theme | 'hc-dark' | 'hc-light', ColorTheme> = {
  dark: { label: THEMES.dark, workbench: 'vs-dark', body: 'vscode-dark' },
  light: { label: THEMES.light, workbench: 'vs', body: 'vscode-light' },
  'hc-dark': { label: 'Dark High Contrast', workbench: 'hc-black', body: 'vscode-high-contrast' },
  'hc-light': { label: 'Light High Contrast', workbench: 'hc-light', body: 'vscode-high-contrast-light' },
};

/**
 * Switches the colour theme through the command palette ("Preferences: Color Theme"), as a user does. Writing
 * workbench.colorTheme into the user settings file from outside is not picked up by code-server 4.100.3 here.
 */
export async function setTheme(page: Page, theme: Theme | ColorTheme): Promise<void> {
  const t = typeof theme === 'string' ? COLOR_THEMES[theme] : theme;
  const want = page.locator(`.monaco-workbench.${t.workbench}`);
  if (!(await want.count())) {
    await runCommand(page, 'Preferences: Color Theme');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(t.label);
    const option = page.locator('.quick-input-widget .quick-input-list [role="option"]', { hasText: t.label }).first();
    await option.waitFor({ timeout: 10_000 });
    await option.click();
    await want.waitFor({ timeout: 20_000 });
  }
  // A visible trace panel re-themes too (VS Code sets vscode-light / vscode-dark on its body).
  if (await page.locator('iframe.webview.ready').count()) {
    await panel(page)
      .locator(`body.${t.body}`)
      .waitFor({ timeout: 10_000 })
      .catch(() => {});
  }
  await page.waitForTimeout(400);
}

export async function screenshotBoth(
  page: Page,
  flow: string,
  before?: (theme: Theme) => Promise<void>,
): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const out: string[] = [];
  for (const theme of ['dark', 'light'] as const) {
    await setTheme(page, theme);
    await before?.(theme);
    const file = join(SCREENSHOTS, `${flow}-${theme}.png`);
    await page.screenshot({ path: file });
    out.push(file);
  }
  await setTheme(page, 'dark');
  return out;
}

// ---- logs -------------------------------------------------------------------------------------------------------

/** Log files under the code-server user-data dir whose name matches. */
export function findLogs(userDataDir: string, name: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (name.test(n)) out.push(p);
    }
  };
  walk(join(userDataDir, 'logs'));
  return out;
}
