// The resources the API stand-in serves, as discovery reports them. One table drives routing,
// discovery, RBAC checks and the manifest loader's kind check.

export interface ResourceDef {
  kind: string;
  plural: string;
  singular: string;
  group: string; // '' for the core group
  version: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** client-node model class used to validate manifests; gateway kinds use the schema in validate.ts. */
  model?: string;
}

export interface SubresourceDef {
  parent: string;
  name: string;
  kind: string;
  verbs: string[];
}

const def = (
  kind: string,
  plural: string,
  group: string,
  version: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef => ({
  kind,
  plural,
  singular: kind.toLowerCase(),
  group,
  version,
  namespaced,
  model: `V1${kind}`,
  ...extra,
});

export const RESOURCES: ResourceDef[] = [
  def('Namespace', 'namespaces', '', 'v1', false, { shortNames: ['ns'] }),
  def('Pod', 'pods', '', 'v1', true, { shortNames: ['po'], categories: ['all'] }),
  def('Service', 'services', '', 'v1', true, { shortNames: ['svc'], categories: ['all'] }),
  def('Endpoints', 'endpoints', '', 'v1', true, { shortNames: ['ep'], singular: 'endpoints' }),
  def('ConfigMap', 'configmaps', '', 'v1', true, { shortNames: ['cm'] }),
  def('Secret', 'secrets', '', 'v1', true),
  def('ServiceAccount', 'serviceaccounts', '', 'v1', true, { shortNames: ['sa'] }),
  def('Deployment', 'deployments', 'apps', 'v1', true, { shortNames: ['deploy'], categories: ['all'] }),
  def('Ingress', 'ingresses', 'networking.k8s.io', 'v1', true, { shortNames: ['ing'] }),
  def('IngressClass', 'ingressclasses', 'networking.k8s.io', 'v1', false),
  def('EndpointSlice', 'endpointslices', 'discovery.k8s.io', 'v1', true),
  def('HTTPRoute', 'httproutes', 'gateway.networking.k8s.io', 'v1', true, {
    model: undefined,
    categories: ['gateway-api'],
  }),
  def('Gateway', 'gateways', 'gateway.networking.k8s.io', 'v1', true, {
    model: undefined,
    shortNames: ['gtw'],
    categories: ['gateway-api'],
  }),
  def('GatewayClass', 'gatewayclasses', 'gateway.networking.k8s.io', 'v1', false, {
    model: undefined,
    shortNames: ['gc'],
    categories: ['gateway-api'],
  }),
];

export const SUBRESOURCES: SubresourceDef[] = [
  { parent: 'pods', name: 'log', kind: 'Pod', verbs: ['get'] },
  { parent: 'pods', name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  { parent: 'pods', name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { parent: 'pods', name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  {
    parent: 'services',
    name: 'proxy',
    kind: 'ServiceProxyOptions',
    verbs: ['create', 'delete', 'get', 'patch', 'update'],
  },
];

/** Served groups with their (one) version. */
export const GROUP_VERSIONS: Record<string, string[]> = {
  apps: ['v1'],
  'networking.k8s.io': ['v1'],
  'discovery.k8s.io': ['v1'],
  'gateway.networking.k8s.io': ['v1'],
  'authorization.k8s.io': ['v1'],
};

export const READ_VERBS = ['get', 'list', 'watch'];

export const groupVersion = (r: { group: string; version: string }): string =>
  r.group ? `${r.group}/${r.version}` : r.version;

export function findResource(group: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.plural === plural);
}

/** The resource for a manifest's apiVersion and kind, when this stand-in serves it. */
export function resourceForKind(apiVersion: string, kind: string): ResourceDef | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const r = RESOURCES.find((x) => x.kind === kind && x.group === group);
  if (!r) return undefined;
  const versions = group ? (GROUP_VERSIONS[group] ?? []) : ['v1'];
  return versions.includes(version) ? r : undefined;
}

export const resourceOfKind = (kind: string): ResourceDef | undefined => RESOURCES.find((r) => r.kind === kind);
