// Ingress manifests in the workspace: every YAML file that mentions an Ingress, parsed once per file version.
import { derived, workspaceIndex, type WorkspaceIndex } from '../app/workspace';
import type { Ingress } from '../../kube/objects';
import { parseYaml, type ParsedYaml, type YamlObject } from './yaml-locate';

export interface ManifestHit {
  file: string;
  parsed: ParsedYaml;
  object: YamlObject;
}

const YAML_FILE = /\.ya?ml$/i;
const EMPTY: ParsedYaml = parseYaml('');
const cache = new WeakMap<WorkspaceIndex, Promise<ManifestHit[]>>();

/** Every object of `kind` found in the workspace's YAML files (Ingress by default). */
export function workspaceManifests(roots: string[], kind = 'Ingress'): Promise<ManifestHit[]> {
  return workspaceIndex(roots).then((index) => {
    if (kind !== 'Ingress') return collect(index, kind);
    let hit = cache.get(index);
    if (!hit) {
      hit = collect(index, kind);
      cache.set(index, hit);
    }
    return hit;
  });
}

async function collect(index: WorkspaceIndex, kind: string): Promise<ManifestHit[]> {
  const out: ManifestHit[] = [];
  for (const f of index.files) {
    if (!YAML_FILE.test(f.base)) continue;
    // Most YAML in a repo (CI, compose, OpenAPI) never names the kind: skip the parse for those.
    const parsed = await derived(f.abs, 'yaml', (text) => (text.includes(kind) ? parseYaml(text) : EMPTY));
    if (!parsed) continue;
    for (const object of parsed.objects) if (object.kind === kind) out.push({ file: f.abs, parsed, object });
  }
  return out;
}

/** The manifest of one object: same name, and the namespace when the file states one (Helm output often omits it). */
export function findManifest(hits: ManifestHit[], name: string, namespace?: string): ManifestHit | undefined {
  const named = hits.filter((h) => h.object.name === name);
  const exact = named.find((h) => h.object.namespace === namespace);
  if (exact) return exact;
  const loose = named.filter((h) => !h.object.namespace || !namespace);
  return loose.length === 1 ? loose[0] : undefined;
}

/** The manifests as objects, for matching a request when no live objects were given. */
const objectCache = new WeakMap<ManifestHit[], { object: Ingress; hit: ManifestHit }[]>();

export function manifestObjects(hits: ManifestHit[]): { object: Ingress; hit: ManifestHit }[] {
  let out = objectCache.get(hits);
  if (!out) {
    out = toObjects(hits);
    objectCache.set(hits, out);
  }
  return out;
}

function toObjects(hits: ManifestHit[]): { object: Ingress; hit: ManifestHit }[] {
  const out: { object: Ingress; hit: ManifestHit }[] = [];
  for (const hit of hits) {
    try {
      if (!hit.object.name) continue;
      const o = hit.object.doc.toJS({ maxAliasCount: 100 }) as Ingress;
      if (o && typeof o === 'object') out.push({ object: o, hit });
    } catch {
      /* an object the yaml package cannot convert is skipped */
    }
  }
  return out;
}
