// A read-only YAML view of a live object (kubetrace-live:/<ns>/<name>.yaml), for Ingresses whose manifest is not in
// the workspace. The rendering is deterministic, so the adapter can render it again and land on the same line.
import { stringify } from 'yaml';
import { LIVE_SCHEME } from '../roots';
import type { Ingress } from '../../kube/objects';

const FIRST = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

export function liveIngressPath(obj: Ingress): string {
  const ns = obj.metadata?.namespace || 'default';
  const name = obj.metadata?.name || 'unnamed';
  return `${LIVE_SCHEME}/${encodeURIComponent(ns)}/${encodeURIComponent(name)}.yaml`;
}

/** The object as YAML, minus server bookkeeping that hides the spec (managedFields, last-applied-configuration). */
export function renderLiveIngressYaml(obj: Ingress): string {
  const clone = JSON.parse(JSON.stringify(obj ?? {})) as Record<string, unknown>;
  const meta = clone.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object') {
    delete meta.managedFields;
    const ann = meta.annotations as Record<string, unknown> | undefined;
    if (ann && typeof ann === 'object') {
      delete ann['kubectl.kubernetes.io/last-applied-configuration'];
      if (!Object.keys(ann).length) delete meta.annotations;
    }
  }
  if (!clone.apiVersion) clone.apiVersion = 'networking.k8s.io/v1';
  if (!clone.kind) clone.kind = 'Ingress';
  const ordered: Record<string, unknown> = {};
  for (const k of FIRST) if (k in clone) ordered[k] = clone[k];
  for (const k of Object.keys(clone)) if (!(k in ordered)) ordered[k] = clone[k];
  return stringify(ordered, { lineWidth: 0 });
}
