// axe-core (npm) run inside a webview page, limited to the rules a test names: one line per violating node.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { settle } from './harness';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function axeViolations(page: Page, rules: string[]): Promise<string[]> {
  await settle(page);
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
