// The layering lint (eslint.config.mjs) refuses imports across layers however many folders they climb, and allows
// the ones the architecture allows. Each case is linted as if it were a file at that path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return r.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

const refused: [string, string][] = [
  ['src/core/sourcemap/nginx/planted.ts', "import { x } from '../../../vscode';"],
  ['src/core/sourcemap/nginx/planted.ts', "import { x } from '../../../vscode/panel';"],
  ['src/core/probe/planted.ts', "import * as vscode from 'vscode';"],
  ['src/core/probe/planted.ts', "import { main } from '../../cli/main';"],
  ['src/core/probe/planted.ts', "import { startSandbox } from '../../sandbox/sandbox';"],
  ['src/protocol/planted.ts', "import { errorMessage } from '../core/errors';"],
  ['src/sandbox/planted.ts', "import * as vscode from 'vscode';"],
  ['src/cli/planted.ts', "import { x } from '../vscode/engine';"],
  ['webview/planted.ts', "import { assemble } from '../src/core/trace/assemble';"],
  ['webview/planted.ts', "import { x } from '../../src/vscode/panel';"],
];
for (const [file, code] of refused) {
  test(`refused: ${code} in ${file}`, async () => {
    const errors = await layerErrors(file, `${code}\nexport const y = 1;\n`);
    assert.equal(errors.length, 1, `expected one layering error, got ${JSON.stringify(errors)}`);
  });
}

const allowed: [string, string][] = [
  ['src/core/kube/planted.ts', "import { isSandboxKubeconfig } from './sandbox';"],
  ['src/core/trace/planted.ts', "import { LAYERS } from '../../protocol/vocabulary';"],
  ['src/protocol/planted.ts', "import type { Trace } from '../core/trace/model';"],
  ['src/vscode/planted.ts', "import * as vscode from 'vscode';"],
  ['webview/planted.ts', "import { parseHostMessage } from '../src/protocol/validate';"],
];
for (const [file, code] of allowed) {
  test(`allowed: ${code} in ${file}`, async () => {
    assert.deepEqual(await layerErrors(file, `${code}\nexport const y = 1;\n`), []);
  });
}
