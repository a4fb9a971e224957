// Strict validation of manifests, as a current API server decodes them: removed API versions, unknown
// fields (checked against client-node's model attribute maps), wrong JSON types and missing required fields.
import * as k8s from '@kubernetes/client-node';
import requiredFields from './required-fields.json';
import { type ResourceDef, resourceForKind } from './kinds';
import { GATEWAY_MODELS } from './gateway-schema';

interface Attr {
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): Attr[] };

/** Group versions a current API server no longer serves, with the release that removed them and what replaces them. */
const REMOVED: Record<string, { removedIn: string; use: Record<string, string> }> = {
  'extensions/v1beta1': {
    removedIn: '1.22',
    use: {
      Ingress: 'networking.k8s.io/v1',
      Deployment: 'apps/v1',
      DaemonSet: 'apps/v1',
      ReplicaSet: 'apps/v1',
      NetworkPolicy: 'networking.k8s.io/v1',
    },
  },
  'networking.k8s.io/v1beta1': {
    removedIn: '1.22',
    use: { Ingress: 'networking.k8s.io/v1', IngressClass: 'networking.k8s.io/v1' },
  },
  'apps/v1beta1': { removedIn: '1.16', use: { Deployment: 'apps/v1', StatefulSet: 'apps/v1' } },
  'apps/v1beta2': {
    removedIn: '1.16',
    use: { Deployment: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', ReplicaSet: 'apps/v1' },
  },
  'discovery.k8s.io/v1beta1': { removedIn: '1.25', use: { EndpointSlice: 'discovery.k8s.io/v1' } },
  'policy/v1beta1': { removedIn: '1.25', use: { PodDisruptionBudget: 'policy/v1' } },
  'batch/v1beta1': { removedIn: '1.25', use: { CronJob: 'batch/v1' } },
  'autoscaling/v2beta1': { removedIn: '1.25', use: { HorizontalPodAutoscaler: 'autoscaling/v2' } },
  'autoscaling/v2beta2': { removedIn: '1.26', use: { HorizontalPodAutoscaler: 'autoscaling/v2' } },
  'rbac.authorization.k8s.io/v1beta1': { removedIn: '1.22', use: {} },
  'apiextensions.k8s.io/v1beta1': { removedIn: '1.22', use: { CustomResourceDefinition: 'apiextensions.k8s.io/v1' } },
};

/** Older versions that a current server still accepts and stores as the served version. */
const CONVERTED: Record<string, string> = { 'gateway.networking.k8s.io/v1beta1': 'gateway.networking.k8s.io/v1' };

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface Checked {
  resource?: ResourceDef;
  apiVersion?: string;
  errors: string[];
}

/** Checks one decoded document; `errors` empty means a current API server would accept it. */
export function checkObject(doc: Record<string, unknown>): Checked {
  const apiVersion = doc.apiVersion,
    kind = doc.kind;
  if (typeof apiVersion !== 'string' || !apiVersion) return { errors: ['apiVersion not set'] };
  if (typeof kind !== 'string' || !kind) return { errors: ['kind not set'] };
  const removed = REMOVED[apiVersion];
  if (removed) {
    const use = removed.use[kind];
    return {
      errors: [
        `no matches for kind "${kind}" in version "${apiVersion}": ${apiVersion} ` +
          `was removed in Kubernetes v${removed.removedIn}${use ? `; use ${use}` : ''}`,
      ],
    };
  }
  const served = CONVERTED[apiVersion] ?? apiVersion;
  const resource = resourceForKind(served, kind);
  if (!resource) return { errors: [`no matches for kind "${kind}" in version "${apiVersion}"`] };
  const errors: string[] = [];
  const meta = doc.metadata as Record<string, unknown> | undefined;
  const name = meta && typeof meta === 'object' ? meta.name : undefined;
  if (typeof name !== 'string' || !name) errors.push('metadata.name: Required value: name is required');
  else if (
    name.length > 253 ||
    !(resource.kind === 'Namespace' || resource.kind === 'Service' ? DNS_LABEL : DNS_SUBDOMAIN).test(name)
  ) {
    errors.push(
      `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 ` +
        `${resource.kind === 'Namespace' || resource.kind === 'Service' ? 'label' : 'subdomain'}` +
        ` must consist of lower case alphanumeric characters, '-' or '.'`,
    );
  }
  const ns = meta?.namespace;
  if (ns !== undefined && (typeof ns !== 'string' || !DNS_LABEL.test(ns)))
    errors.push(`metadata.namespace: Invalid value: ${JSON.stringify(ns)}`);
  const top = resource.model ? modelAttrs(resource.model) : GATEWAY_MODELS[resource.kind];
  const body = { ...doc };
  delete body.apiVersion;
  delete body.kind;
  if (top) checkFields(body, top.attrs, top.required, '', errors);
  return { resource, apiVersion: served, errors };
}

interface ModelInfo {
  attrs: Attr[];
  required: string[];
}
const modelCache = new Map<string, ModelInfo | undefined>();
const required = requiredFields as Record<string, string[]>;

function modelAttrs(name: string): ModelInfo | undefined {
  if (modelCache.has(name)) return modelCache.get(name);
  const cls = (k8s as unknown as Record<string, ModelClass | undefined>)[name];
  const info =
    cls && typeof cls.getAttributeTypeMap === 'function'
      ? { attrs: cls.getAttributeTypeMap(), required: required[name] ?? [] }
      : GATEWAY_MODELS[name];
  modelCache.set(name, info);
  return info;
}

// Resource quantities are strings in the model but the API server also takes plain numbers for them.
const QUANTITY = /(^|\.)(limits|requests|hard|capacity|allocatable|overhead)\.[^.]+$|sizeLimit$/;

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function checkFields(obj: Record<string, unknown>, attrs: Attr[], req: string[], path: string, errors: string[]): void {
  const byName = new Map(attrs.map((a) => [a.baseName, a.type]));
  for (const [key, value] of Object.entries(obj)) {
    const type = byName.get(key);
    if (type === undefined) {
      errors.push(`unknown field "${join(path, key)}"`);
      continue;
    }
    if (value === null) continue; // null means unset, as in JSON decoding
    checkValue(value, type, join(path, key), errors);
  }
  for (const r of req) if (obj[r] === undefined || obj[r] === null) errors.push(`${join(path, r)}: Required value`);
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v;
}

function checkValue(value: unknown, type: string, path: string, errors: string[]): void {
  const bad = (want: string) => errors.push(`${path}: Invalid value: expected ${want}, got ${typeName(value)}`);
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) return void bad('array');
    value.forEach((v, i) => {
      if (v !== null) checkValue(v, arr[1], `${path}[${i}]`, errors);
    });
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return void bad('object');
    for (const [k, v] of Object.entries(value as object)) if (v !== null) checkValue(v, map[1], `${path}.${k}`, errors);
    return;
  }
  switch (type) {
    case 'string':
    case 'Date':
      if (typeof value !== 'string' && !(typeof value === 'number' && QUANTITY.test(path))) bad('string');
      return;
    case 'number':
      if (typeof value !== 'number') bad('number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') bad('boolean');
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
        bad('integer or string');
      return;
    case 'any':
      return;
  }
  const model = modelAttrs(type);
  if (!model) return; // a type client-node does not describe: accept, as a CRD's preserved field
  if (typeof value !== 'object' || Array.isArray(value)) return void bad('object');
  checkFields(value as Record<string, unknown>, model.attrs, model.required, path, errors);
}
