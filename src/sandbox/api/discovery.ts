// Discovery documents: /version, /api, /apis, /apis/<group>, and the APIResourceList of each group version.
// Clients that ask for aggregated discovery (apidiscovery.k8s.io) get the plain documents with a plain
// application/json content type, which kubectl and client-go take as "fall back to legacy discovery".
import { GROUP_VERSIONS, READ_VERBS, RESOURCES, SUBRESOURCES, groupVersion } from './kinds';

/** kubectl's dispatcher on this machine picks its client binary from this (1.27–1.33 are installed). */
export const KUBE_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.4' };

export function versionInfo(): Record<string, string> {
  return {
    ...KUBE_VERSION,
    gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b',
    gitTreeState: 'clean',
    buildDate: '2024-12-10T11:37:00Z',
    goVersion: 'go1.22.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string): Record<string, unknown> {
  const versions = GROUP_VERSIONS[name].map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions, preferredVersion: versions[0] };
}

export const apiGroupList = (): Record<string, unknown> => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: Object.keys(GROUP_VERSIONS).map(apiGroup),
});

export function apiGroupDoc(group: string): Record<string, unknown> | undefined {
  return GROUP_VERSIONS[group] ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) } : undefined;
}

/** The APIResourceList of one group version, or undefined when it is not served. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  if (group ? !GROUP_VERSIONS[group]?.includes(version) : version !== 'v1') return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: READ_VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const s of SUBRESOURCES.filter((x) => x.parent === r.plural)) {
      resources.push({
        name: `${r.plural}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  if (group === 'authorization.k8s.io') {
    resources.push({
      name: 'selfsubjectaccessreviews',
      singularName: 'selfsubjectaccessreview',
      namespaced: false,
      kind: 'SelfSubjectAccessReview',
      verbs: ['create'],
    });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}
