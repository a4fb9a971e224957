// Which fields of client-node's models are required. The attribute maps do not say; the generated .d.ts
// files do (`'name': string;` versus `'name'?: string;`). Run this after upgrading client-node:
//   node --import tsx src/sandbox/api/gen-required-fields.ts
// A unit test checks required-fields.json against the installed client-node.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { RESOURCES } from './kinds';

type ModelClass = { getAttributeTypeMap(): { type: string }[] };

function innerTypes(type: string): string[] {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return innerTypes(arr[1]);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return innerTypes(map[1]);
  return [type];
}

/** Required fields of every model reachable from the served kinds, read from the .d.ts files in `modelsDir`. */
export function computeRequiredFields(modelsDir: string): Record<string, string[]> {
  const models = k8s as unknown as Record<string, ModelClass | undefined>;
  const seen = new Set<string>();
  const queue = RESOURCES.flatMap((r) => (r.model ? [r.model] : []));
  const out: Record<string, string[]> = {};
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const cls = models[name];
    if (!cls || typeof cls.getAttributeTypeMap !== 'function') continue;
    for (const a of cls.getAttributeTypeMap()) queue.push(...innerTypes(a.type));
    const dts = readFileSync(join(modelsDir, `${name}.d.ts`), 'utf8');
    const req = [...dts.matchAll(/^\s+'(\w+)': /gm)].map((x) => x[1]);
    if (req.length) out[name] = req.sort();
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export const defaultModelsDir = (root = process.cwd()): string =>
  join(root, 'node_modules/@kubernetes/client-node/dist/gen/models');

if (process.argv[1]?.endsWith('gen-required-fields.ts')) {
  const file = join(__dirname, 'required-fields.json');
  writeFileSync(file, `${JSON.stringify(computeRequiredFields(defaultModelsDir()), null, 1)}\n`);
  console.log(`wrote ${file}`);
}
