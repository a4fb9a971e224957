// axe-core (npm) run inside a webview page or frame, limited to the rules a test names: one line per violating node.
// Through evaluate, which the panel's CSP does not govern, so nothing in the panel is relaxed for it.
import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Contrast, and every rule that checks an element has a name a screen reader can say. */
export const PANEL_RULES = [
  'color-contrast',
  'aria-command-name',
  'aria-input-field-name',
  'aria-toggle-field-name',
  'aria-progressbar-name',
  'aria-tooltip-name',
  'aria-treeitem-name',
  'aria-meter-name',
  'button-name',
  'image-alt',
  'input-button-name',
  'label',
  'link-name',
  'select-name',
  'svg-img-alt',
];

export async function axeViolations(page: Page | Frame, rules: string[]): Promise<string[]> {
  // Two frames, so what the last change painted is laid out before axe measures it.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(0)))));
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const v = (await page.evaluate(
    (only) =>
      (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: unknown[] }> } }).axe
        .run(document, { runOnly: { type: 'rule', values: only }, resultTypes: ['violations'] })
        .then((r) => r.violations),
    rules,
  )) as { id: string; nodes: { target: string[]; failureSummary?: string }[] }[];
  return v.flatMap((x) =>
    x.nodes.map((n) => `${x.id} ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
  );
}
