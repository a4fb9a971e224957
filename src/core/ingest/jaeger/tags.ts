// Jaeger's typed key/value tags ({key, type, value}) to and from model attributes.
import type { AttributeValue } from '../../trace/model';
import { isObject, nestedText, setKey } from '../../io/values';

export type JaegerTagType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';
export interface JaegerTag {
  key: string;
  type: JaegerTagType;
  value: string | number | boolean;
}

/** One tag's value in the model, typed by `type` when it is given and by the JSON value otherwise. */
export function tagValue(tag: Record<string, unknown>): AttributeValue | undefined {
  const v = tag.value;
  switch (tag.type) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      break;
    case 'int64':
    case 'float64':
      if (typeof v === 'number') return v;
      // int64 beyond 2^53 may come as a string: keep the exact digits.
      if (typeof v === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) {
        const n = Number(v);
        return Number.isSafeInteger(n) || tag.type === 'float64' ? n : v;
      }
      break;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (v === undefined || v === null) return undefined;
  // A hostile file can nest a tag value thousands deep; JSON.stringify would overflow the stack.
  return nestedText(v);
}

/** Reads a tag list into `into`; returns how many entries were not tags (for a diagnostic). */
export function readTags(tags: unknown, into: Record<string, AttributeValue>): number {
  if (tags === undefined || tags === null) return 0;
  if (!Array.isArray(tags)) return 1;
  let bad = 0;
  for (const t of tags) {
    if (!isObject(t) || typeof t.key !== 'string') {
      bad++;
      continue;
    }
    const v = tagValue(t);
    if (v === undefined) {
      bad++;
      continue;
    }
    setKey(into, t.key, v);
  }
  return bad;
}

/** Model value to a Jaeger tag. Jaeger has no list type: lists become JSON text, as the OTel Jaeger translator writes them. */
export function toTag(key: string, value: unknown): JaegerTag {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { key, type: 'int64', value };
    if (Number.isFinite(value)) return { key, type: 'float64', value };
    return { key, type: 'string', value: String(value) };
  }
  if (typeof value === 'string') return { key, type: 'string', value };
  return { key, type: 'string', value: nestedText(value) };
}
