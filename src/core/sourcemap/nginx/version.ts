// Which nginx the controller runs (DESIGN.md "nginx source mapping"): `nginx -v` through pod exec,
// then the controller image tag, then the Server header. The `kubetrace.nginx.version` setting
// overrides detection (DESIGN.md, Settings), so it is checked first.
import { nginxForController } from './ingress-versions';

export interface NginxVersionEvidence {
  nginxVOutput?: string;
  controllerImage?: string;
  serverHeader?: string;
  setting?: string;
}
export interface DetectedNginxVersion {
  version?: string;
  from?: 'exec' | 'image' | 'server-header' | 'setting';
  reason?: string;
}

const VERSION = /^\d+\.\d+\.\d+$/;

/** `nginx version: nginx/1.22.1`; OpenResty's `openresty/1.21.4.1` is nginx core 1.21.4. */
function fromProduct(s: string): string | undefined {
  const m = /\b(?:nginx|openresty)\/(\d+\.\d+\.\d+)/i.exec(s);
  return m?.[1];
}

/** The tag of an image reference, ignoring any registry port and digest. */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0];
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const i = last.indexOf(':');
  return i >= 0 ? last.slice(i + 1) : undefined;
}

export function detectNginxVersion(e: NginxVersionEvidence): DetectedNginxVersion {
  const why: string[] = [];
  if (e.setting?.trim()) {
    const s = e.setting.trim().replace(/^v/, '');
    if (VERSION.test(s)) return { version: s, from: 'setting', reason: 'set by kubetrace.nginx.version' };
    why.push(`the kubetrace.nginx.version setting "${e.setting}" is not a version like 1.22.1`);
  }
  if (e.nginxVOutput !== undefined) {
    const v = fromProduct(e.nginxVOutput);
    if (v) return { version: v, from: 'exec', reason: 'reported by nginx -v in the controller pod' };
    why.push('nginx -v gave no version');
  }
  if (e.controllerImage) {
    const tag = imageTag(e.controllerImage);
    const rel = tag && /ingress-nginx|controller/.test(e.controllerImage) ? nginxForController(tag) : undefined;
    if (rel) {
      return {
        version: rel.nginx,
        from: 'image',
        reason: rel.uncertain
          ? `ingress-nginx ${tag} is not in the release table; its series ships nginx ${rel.nginx}, so that is assumed`
          : `ingress-nginx ${tag} ships nginx ${rel.nginx}`,
      };
    }
    why.push(
      tag ? `the controller image tag ${tag} is not a known ingress-nginx release` : 'the controller image has no tag',
    );
  }
  if (e.serverHeader !== undefined) {
    const v = fromProduct(e.serverHeader);
    if (v) return { version: v, from: 'server-header', reason: 'from the Server response header' };
    why.push('the Server header hides the version (server_tokens off)');
  }
  if (!why.length) why.push('no evidence was available (no pod exec, image, Server header or setting)');
  return { reason: `nginx version unknown: ${why.join('; ')}` };
}
