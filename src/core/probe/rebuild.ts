// After a window reload the panel is all that remembers a probe: its target ("namespace/name"), method and URL.
// This turns that back into a request on the current listing. The summary came back from the webview's saved
// state, so each part is checked; anything odd gives undefined (the caller says so), never a guess.
import type { RouteEntry } from '../kube/routes';

export interface RebuiltRequest {
  entry: RouteEntry;
  host: string;
  path: string;
  method: string;
}

// RFC 9110 token characters.
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;

export function rebuildRequest(
  target: string,
  url: string,
  method: string,
  entries: readonly RouteEntry[],
): RebuiltRequest | undefined {
  const parts = typeof target === 'string' ? target.split('/') : [];
  if (parts.length !== 2 || !parts[0] || !parts[1] || typeof method !== 'string' || !METHOD.test(method))
    return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return undefined;
  // Ingress probes prefer the Ingress's own objects: an HTTPRoute of the same name is used only when no Ingress is.
  const named = entries.filter((e) => e.namespace === parts[0] && e.name === parts[1]);
  const entry = named.find((e) => e.kind === 'Ingress') ?? named[0];
  if (!entry) return undefined;
  return { entry, host: u.hostname.replace(/^\[(.*)\]$/, '$1'), path: `${u.pathname}${u.search}`, method };
}
