// Loads real YAML manifests with `kubectl apply` semantics: documents in file order (files sorted by name),
// a later document with the same kind/namespace/name replaces the earlier one, and a missing namespace means
// `default` for namespaced kinds. A document a current API server would refuse is reported and skipped.
import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkObject } from './api/validate';
import type { KubeObject, ObjectStore } from './store';

export interface Refusal {
  file: string;
  document: number;
  reason: string;
}
export interface LoadResult {
  objects: KubeObject[];
  refused: Refusal[];
}
export interface LoadOptions {
  /** Namespaces that exist already (besides default, kube-system, kube-public, kube-node-lease). */ existingNamespaces?: string[];
}

export const BUILTIN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
const MANIFEST_EXT = new Set(['.yaml', '.yml', '.json']);

interface Parsed {
  entries: { obj: KubeObject; document: number }[];
  refused: Refusal[];
}

function parseDocs(text: string, file: string): Parsed {
  const entries: Parsed['entries'] = [];
  const refused: Refusal[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch (e) {
    return { entries, refused: [{ file, document: 1, reason: `invalid YAML: ${(e as Error).message}` }] };
  }
  (Array.isArray(docs) ? docs : [docs]).forEach((doc, i) => {
    const document = i + 1;
    if (doc.errors.length) {
      refused.push({ file, document, reason: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      refused.push({ file, document, reason: `invalid YAML: ${(e as Error).message.split('\n')[0]}` });
      return;
    }
    if (value === null || value === undefined) return; // an empty document, e.g. after a trailing `---`
    const v = value as Record<string, unknown>;
    const items = v && typeof v === 'object' && v.kind === 'List' && Array.isArray(v.items) ? v.items : [v];
    for (const item of items) {
      const r = toObject(item);
      if (typeof r === 'string') refused.push({ file, document, reason: r });
      else entries.push({ obj: r, document });
    }
  });
  return { entries, refused };
}

/** Parses one file's text; objects keep document order, refusals carry 1-based document numbers. */
export function parseManifestText(text: string, file: string): LoadResult {
  const r = parseDocs(text, file);
  return { objects: r.entries.map((e) => e.obj), refused: r.refused };
}

function toObject(item: unknown): KubeObject | string {
  if (!item || typeof item !== 'object' || Array.isArray(item))
    return 'a manifest must be a mapping with apiVersion and kind';
  const checked = checkObject(item as Record<string, unknown>);
  if (checked.errors.length || !checked.resource) return checked.errors.join('; ');
  const obj = structuredClone(item) as KubeObject;
  obj.apiVersion = checked.apiVersion!;
  const meta = obj.metadata;
  if (checked.resource.namespaced) meta.namespace = meta.namespace || 'default';
  else delete meta.namespace;
  // Fields the server owns are not taken from manifests.
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink'])
    delete meta[k];
  return obj;
}

const objectKey = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

async function manifestFiles(path: string): Promise<string[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => MANIFEST_EXT.has(extname(n).toLowerCase())).sort();
  return names.map((n) => join(path, n));
}

/** Loads files and directories (not recursive, as `kubectl apply -f DIR`), in the order given. */
export async function loadManifests(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const byKey = new Map<string, { obj: KubeObject; file: string; document: number }>();
  const refused: Refusal[] = [];
  for (const p of paths) {
    let files: string[];
    try {
      files = await manifestFiles(resolve(p));
    } catch (e) {
      refused.push({ file: p, document: 0, reason: `cannot read: ${(e as Error).message}` });
      continue;
    }
    for (const file of files) {
      const r = parseDocs(await readFile(file, 'utf8'), file);
      refused.push(...r.refused);
      for (const { obj, document } of r.entries) {
        const key = objectKey(obj);
        byKey.delete(key); // re-insert, so apply order follows the latest document
        byKey.set(key, { obj, file, document });
      }
    }
  }
  const namespaces = new Set([...BUILTIN_NAMESPACES, ...(opts.existingNamespaces ?? [])]);
  for (const { obj } of byKey.values()) if (obj.kind === 'Namespace') namespaces.add(obj.metadata.name);
  const objects: KubeObject[] = [];
  for (const { obj, file, document } of byKey.values()) {
    const ns = obj.metadata.namespace;
    if (ns && !namespaces.has(ns)) refused.push({ file, document, reason: `namespaces "${ns}" not found` });
    else objects.push(obj);
  }
  return { objects, refused };
}

/** Puts the objects into the store (create or replace), namespaces first. */
export function applyObjects(store: ObjectStore, objects: KubeObject[]): void {
  const rank = (o: KubeObject) => (o.kind === 'Namespace' ? 0 : 1);
  for (const o of [...objects].sort((a, b) => rank(a) - rank(b))) store.put(o);
}

/** The demo manifests folder (`src/sandbox/manifests`), found from this file's location or the working directory. */
export function demoManifestsDir(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : '', process.cwd()].filter(Boolean);
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      for (const c of [join(dir, 'manifests'), join(dir, 'src/sandbox/manifests')]) {
        if (existsSync(join(c, '00-namespaces.yaml'))) return c;
      }
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the sandbox manifests folder (src/sandbox/manifests)');
}
