// Which nginx an nginx-based controller image runs, from the image reference alone. ingress-nginx
// builds its own nginx (ingress-versions.ts); F5 NGINX Ingress Controller and NGINX Gateway Fabric
// install nginx.org packages, one version per release, read from each tag's build/Dockerfile
// (nginx/kubernetes-ingress, nginx/nginx-gateway-fabric `build/Dockerfile.nginx`). A release that
// is not in a table is not guessed: detection says so and falls back to the next evidence.
import { nginxForController } from './ingress-versions';

export type NginxController = 'ingress-nginx' | 'nginx-ingress' | 'nginx-gateway-fabric';

export interface ImageNginx {
  controller: NginxController;
  /** The release the tag names, e.g. `1.13.0` or `2.6.7`. */
  release: string;
  nginx?: string;
  uncertain?: true;
  /** Why there is no version (NGINX Plus, a release missing from the table). */
  why?: string;
}

// F5 NGINX Ingress Controller release -> nginx.
const NIC: Record<string, string> = {
  '5.5.4': '1.31.3',
  '5.5.0': '1.31.1',
  '5.4.1': '1.29.7',
  '5.3.4': '1.29.5',
  '5.2.1': '1.29.1',
};

// NGINX Gateway Fabric release (the data-plane image `.../nginx-gateway-fabric/nginx:<release>`) -> nginx.
// A key with two parts covers a whole minor series.
const NGF: Record<string, string> = {
  '2.6.7': '1.31.3',
  '2.6.6': '1.31.2',
  '2.6.5': '1.31.2',
  '2.6.4': '1.31.1',
  '2.6.3': '1.31.1',
  '2.6.2': '1.31.1',
  '2.6.1': '1.31.0',
  '2.6.0': '1.30.0',
  '2.5': '1.29.7',
  '2.4.2': '1.29.5',
  '2.4.1': '1.29.5',
  '2.3.0': '1.29.3',
  '2.2': '1.29.2',
  '2.0.2': '1.28.0',
};

const RELEASE = /(\d+)\.(\d+)\.(\d+)/;

/** The repository part of an image reference (no registry port, tag or digest), lowercased. */
function repository(image: string): string {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', slash + 1);
  return (colon >= 0 ? noDigest.slice(0, colon) : noDigest).toLowerCase();
}

function controllerOf(repo: string): NginxController | 'plus' | undefined {
  if (/nginx-plus/.test(repo)) return 'plus';
  if (/(^|\/)ingress-nginx\/controller(-chroot)?$/.test(repo)) return 'ingress-nginx';
  if (/(^|\/)nginx-gateway-fabric\/nginx$/.test(repo)) return 'nginx-gateway-fabric';
  if (/(^|\/)nginx-ingress$/.test(repo)) return 'nginx-ingress';
  return undefined;
}

/** The nginx an image ships, or undefined when the image is not a known nginx-based controller's. */
export function nginxForImage(image: string, tag: string | undefined): ImageNginx | undefined {
  const kind = controllerOf(repository(image));
  if (!kind) return undefined;
  const m = tag ? RELEASE.exec(tag) : null;
  if (kind === 'plus') {
    return {
      controller: /gateway-fabric/.test(image) ? 'nginx-gateway-fabric' : 'nginx-ingress',
      release: m?.[0] ?? tag ?? '',
      why: 'the image runs NGINX Plus, whose source is not published',
    };
  }
  if (!m) return { controller: kind, release: tag ?? '', why: 'the image has no release tag' };
  const release = m[0];
  if (kind === 'ingress-nginx') {
    const r = nginxForController(release);
    return r ? { controller: kind, release, ...r } : { controller: kind, release, why: 'not in the release table' };
  }
  const table = kind === 'nginx-ingress' ? NIC : NGF;
  const nginx = table[release] ?? table[`${m[1]}.${m[2]}`];
  return nginx ? { controller: kind, release, nginx } : { controller: kind, release, why: 'not in the release table' };
}

export const CONTROLLER_LABEL: Record<NginxController, string> = {
  'ingress-nginx': 'ingress-nginx',
  'nginx-ingress': 'F5 NGINX Ingress Controller',
  'nginx-gateway-fabric': 'NGINX Gateway Fabric',
};

/** Every nginx version a table names: the versions a pin is wanted for. */
export function tabledNginxVersions(): string[] {
  return [...new Set([...Object.values(NIC), ...Object.values(NGF)])];
}
