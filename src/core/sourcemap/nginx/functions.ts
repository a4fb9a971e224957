// Finds C function definitions in nginx-style source: the return type on the line above, the
// name at column 0 followed by `(`, the body's `{` and `}` at column 0. Prototypes (ending in
// `;`) are skipped. Line numbers always come from the file, never from a table.
import { bodyBrace } from '../c-scan';
import { readTreeFile, readTreeFileSync, treeFile, type NginxSourceTree } from './source-tree';

export interface FunctionRange {
  name: string;
  line: number;
  endLine?: number;
}

const byText = new Map<string, { text: string; defs: Map<string, FunctionRange> }>();

/** All function definitions in one C file, by name (1-based lines). */
export function parseFunctionDefs(text: string): Map<string, FunctionRange> {
  const defs = new Map<string, FunctionRange>();
  const lines = text.split('\n');
  const head = /^([A-Za-z_]\w*)\s*\(/;
  for (let i = 0; i < lines.length; i++) {
    const m = head.exec(lines[i]);
    if (!m) continue;
    const brace = bodyBrace(lines, i, m[0].length - 1);
    if (brace === undefined) continue;
    let endLine: number | undefined;
    for (let j = brace + 1; j < lines.length; j++) {
      if (/^}\s*$/.test(lines[j])) {
        endLine = j + 1;
        break;
      }
      if (head.test(lines[j])) break; // a new definition started: the body had no column-0 brace
    }
    if (!defs.has(m[1])) defs.set(m[1], { name: m[1], line: i + 1, endLine });
    if (endLine) i = endLine - 1;
  }
  return defs;
}

function defsFor(full: string, text: string): Map<string, FunctionRange> {
  const hit = byText.get(full);
  if (hit && hit.text === text) return hit.defs;
  const defs = parseFunctionDefs(text);
  byText.set(full, { text, defs });
  return defs;
}

/** Where `fn` is defined in `file` (relative to the tree root): name line and closing-brace line. */
export async function resolveFunctionRange(
  tree: NginxSourceTree,
  file: string,
  fn: string,
): Promise<FunctionRange | undefined> {
  const full = treeFile(tree, file);
  const text = await readTreeFile(tree, file);
  if (!full || text === undefined) return undefined;
  return defsFor(full, text).get(fn);
}

export async function resolveFunctionLine(
  tree: NginxSourceTree,
  file: string,
  fn: string,
): Promise<number | undefined> {
  return (await resolveFunctionRange(tree, file, fn))?.line;
}

// Span mapping asks for the same few functions thousands of times per trace.
const syncMemo = new Map<string, FunctionRange | null>();

export function resolveFunctionRangeSync(tree: NginxSourceTree, file: string, fn: string): FunctionRange | undefined {
  const key = `${tree.root}\0${file}\0${fn}`;
  const hit = syncMemo.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const full = treeFile(tree, file);
  const text = readTreeFileSync(tree, file);
  const found = full && text !== undefined ? defsFor(full, text).get(fn) : undefined;
  if (syncMemo.size > 10_000) syncMemo.clear();
  syncMemo.set(key, found ?? null);
  return found;
}

/** Forget memoized lookups (after a tree was replaced on disk). */
export function forgetFunctionMemo(): void {
  syncMemo.clear();
}
