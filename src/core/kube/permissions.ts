// SelfSubjectAccessReview for what a probe needs, so a missing permission is named before the probe fails.
import type { KubeRequester } from './request';

export interface Need {
  verb: string;
  resource: string;
  subresource?: string;
  group?: string;
  namespace?: string;
  label: string;
}

export function probeNeeds(
  controllerNamespace: string | undefined,
  backendNamespace: string,
  backendProxyNamespace?: string,
): Need[] {
  const needs: Need[] = [];
  if (controllerNamespace) {
    needs.push({
      verb: 'get',
      resource: 'pods',
      subresource: 'log',
      namespace: controllerNamespace,
      label: `pods/log in ${controllerNamespace}`,
    });
    needs.push({
      verb: 'create',
      resource: 'pods',
      subresource: 'portforward',
      namespace: controllerNamespace,
      label: `pods/portforward in ${controllerNamespace}`,
    });
  }
  needs.push({
    verb: 'get',
    resource: 'pods',
    subresource: 'log',
    namespace: backendNamespace,
    label: `pods/log in ${backendNamespace}`,
  });
  if (backendProxyNamespace)
    needs.push({
      verb: 'get',
      resource: 'services',
      subresource: 'proxy',
      namespace: backendProxyNamespace,
      label: `services/proxy in ${backendProxyNamespace}`,
    });
  return needs;
}

/** Returns the needs the cluster denies. A cluster that cannot answer SSAR is not held against the user. */
export async function missingPermissions(api: KubeRequester, needs: Need[]): Promise<Need[]> {
  const results = await Promise.all(
    needs.map(async (n) => {
      try {
        const review = await api.json<{ status?: { allowed?: boolean } }>({
          method: 'POST',
          path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                verb: n.verb,
                resource: n.resource,
                subresource: n.subresource,
                group: n.group ?? '',
                namespace: n.namespace,
              },
            },
          }),
        });
        return review.status?.allowed === false ? n : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return results.filter((n): n is Need => !!n);
}
