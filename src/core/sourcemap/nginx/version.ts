// Which nginx the controller runs (docs/ARCHITECTURE.md "nginx source mapping"): `nginx -v` through pod exec,
// then the controller image tag, then the Server header. The `kubetrace.nginx.version` setting
// overrides detection (docs/ARCHITECTURE.md, Settings), so it is checked first.
import { CONTROLLER_LABEL, nginxForImage, type NginxController } from './controller-versions';

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
  /** Known from the image: which controller and release (for ingress-nginx, which patch set). */
  controller?: NginxController;
  controllerRelease?: string;
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
  const d = detectVersionOnly(e);
  // The controller and release come from the image whatever gave the version: ingress-nginx's patch set needs them.
  const img = e.controllerImage ? nginxForImage(e.controllerImage, imageTag(e.controllerImage)) : undefined;
  return img ? { ...d, controller: img.controller, controllerRelease: img.release } : d;
}

function detectVersionOnly(e: NginxVersionEvidence): DetectedNginxVersion {
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
    const hit = nginxForImage(e.controllerImage, tag);
    const name = hit && `${CONTROLLER_LABEL[hit.controller]} ${tag}`;
    if (hit?.nginx) {
      return {
        version: hit.nginx,
        from: 'image',
        reason: hit.uncertain
          ? `${name} is not in the release table; its series ships nginx ${hit.nginx}, so that is assumed`
          : `${name} ships nginx ${hit.nginx}`,
      };
    }
    if (hit) why.push(`${name}: ${hit.why}`);
    else
      why.push(
        tag
          ? `the controller image ${e.controllerImage} is not a known nginx-based controller release (${tag})`
          : 'the controller image has no tag',
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
