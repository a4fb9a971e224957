// The kubeconfig the sandbox writes: one cluster (HTTPS, with its CA inline), an admin context and a
// context for the namespace-restricted token. Written 0600, since it holds bearer tokens.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const SANDBOX_CONTEXT = 'kubetrace-sandbox';
export const RESTRICTED_CONTEXT = 'kubetrace-sandbox-restricted';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  adminToken: string;
  restrictedToken?: string;
  restrictedNamespace?: string;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const cluster = SANDBOX_CONTEXT;
  const users: object[] = [{ name: 'kubetrace-admin', user: { token: o.adminToken } }];
  const contexts: object[] = [
    { name: SANDBOX_CONTEXT, context: { cluster, user: 'kubetrace-admin', namespace: 'default' } },
  ];
  if (o.restrictedToken) {
    users.push({ name: 'kubetrace-restricted', user: { token: o.restrictedToken } });
    contexts.push({
      name: RESTRICTED_CONTEXT,
      context: { cluster, user: 'kubetrace-restricted', namespace: o.restrictedNamespace ?? 'shop' },
    });
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: cluster,
        cluster: { server: o.server, 'certificate-authority-data': Buffer.from(o.caPem).toString('base64') },
      },
    ],
    users,
    contexts,
    'current-context': SANDBOX_CONTEXT,
  });
}

export async function writeKubeconfig(file: string, o: KubeconfigOptions): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, kubeconfigYaml(o), { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
