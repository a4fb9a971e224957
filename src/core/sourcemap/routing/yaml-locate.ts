// Finding Kubernetes objects and the line of one of their fields in YAML text: plain manifests, multi-document files,
// Helm-rendered output ("# Source: chart/templates/x.yaml" before each document). Lines come from the yaml package's
// LineCounter over the CST ranges, so they are exact. Never throws: unparsable documents are passed over.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type YAMLMap } from 'yaml';

export interface YamlObject {
  kind?: string;
  apiVersion?: string;
  name?: string;
  namespace?: string;
  helmSource?: string; // from a "# Source:" comment
  line: number; // the document's first content line
  doc: Document;
}
export interface ParsedYaml {
  objects: YamlObject[];
  lc: LineCounter;
}

const MAX_YAML_CHARS = 2_000_000;
const MAX_DOCS = 5_000;

const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

export function parseYaml(text: string): ParsedYaml {
  const lc = new LineCounter();
  const objects: YamlObject[] = [];
  if (typeof text !== 'string' || text.length > MAX_YAML_CHARS) return { objects, lc };
  let docs: Document[];
  try {
    const r = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, logLevel: 'silent' });
    docs = Array.isArray(r) ? (r as Document[]) : [];
  } catch {
    return { objects, lc };
  }
  for (const doc of docs.slice(0, MAX_DOCS)) {
    try {
      if (!isMap(doc.contents)) continue;
      const range = (doc.contents as Node).range;
      const comment = `${doc.commentBefore ?? ''}\n${(doc.contents as Node).commentBefore ?? ''}`;
      const helm = /^\s*Source:\s*(\S+)\s*$/m.exec(comment)?.[1];
      const o: YamlObject = { line: range ? lc.linePos(range[0]).line : 1, doc };
      const kind = scalar(doc.get('kind'));
      if (kind) o.kind = kind;
      const api = scalar(doc.get('apiVersion'));
      if (api) o.apiVersion = api;
      const name = scalar(doc.getIn(['metadata', 'name']));
      if (name) o.name = name;
      const ns = scalar(doc.getIn(['metadata', 'namespace']));
      if (ns) o.namespace = ns;
      if (helm) o.helmSource = helm;
      objects.push(o);
    } catch {
      /* a document the yaml package cannot walk is skipped */
    }
  }
  return { objects, lc };
}

/** The object with this kind and name; a namespace in the file must agree, a missing one is accepted (Helm, kustomize bases). */
export function findObject(p: ParsedYaml, kind: string, name: string, namespace?: string): YamlObject | undefined {
  const same = p.objects.filter((o) => o.kind === kind && o.name === name);
  return same.find((o) => o.namespace === namespace) ?? same.find((o) => !o.namespace || !namespace);
}

function keyLine(lc: LineCounter, map: YAMLMap, key: string): number | undefined {
  for (const pair of map.items) {
    const k = pair.key as Node | null;
    if (isScalar(k) && k.value === key && k.range) return lc.linePos(k.range[0]).line;
  }
  return undefined;
}
const nodeLine = (lc: LineCounter, n: unknown): number | undefined => {
  const r = (n as Node | null)?.range;
  return r ? lc.linePos(r[0]).line : undefined;
};

export interface PathTarget {
  host?: string | null;
  path?: string;
  pathType?: string;
  rule?: number;
  index?: number;
}

/**
 * The line of an Ingress path entry (its `path:` key, else the entry itself). The entry is found by content (host, path,
 * pathType) so a live object and its manifest may order rules differently; the indexes are the fallback.
 */
export function ingressPathLine(p: ParsedYaml, o: YamlObject, t: PathTarget): number | undefined {
  try {
    const rules = o.doc.getIn(['spec', 'rules'], true);
    if (!isSeq(rules)) return undefined;
    let fallback: YAMLMap | undefined;
    for (let r = 0; r < rules.items.length; r++) {
      const rule = rules.items[r];
      if (!isMap(rule)) continue;
      const host = scalar(rule.get('host')) ?? null;
      const paths = rule.getIn(['http', 'paths'], true);
      if (!isSeq(paths)) continue;
      for (let i = 0; i < paths.items.length; i++) {
        const entry = paths.items[i];
        if (!isMap(entry)) continue;
        if (r === t.rule && i === t.index) fallback = entry;
        const hostOk = t.host === undefined || (t.host ?? null) === host;
        const pathOk = t.path === undefined || (scalar(entry.get('path')) ?? '/') === t.path;
        const typeOk =
          t.pathType === undefined || (scalar(entry.get('pathType')) ?? 'ImplementationSpecific') === t.pathType;
        if (hostOk && pathOk && typeOk) return keyLine(p.lc, entry, 'path') ?? nodeLine(p.lc, entry);
      }
    }
    return fallback ? (keyLine(p.lc, fallback, 'path') ?? nodeLine(p.lc, fallback)) : undefined;
  } catch {
    return undefined;
  }
}

/** The line of a key path inside an object, e.g. ['spec', 'defaultBackend']. */
export function keyPathLine(p: ParsedYaml, o: YamlObject, keys: (string | number)[]): number | undefined {
  try {
    if (!keys.length) return o.line;
    const parent = keys.length > 1 ? o.doc.getIn(keys.slice(0, -1), true) : o.doc.contents;
    const last = keys[keys.length - 1];
    if (isMap(parent) && typeof last === 'string') return keyLine(p.lc, parent, last);
    if (isSeq(parent) && typeof last === 'number') return nodeLine(p.lc, parent.items[last]);
  } catch {
    /* fall through */
  }
  return undefined;
}
