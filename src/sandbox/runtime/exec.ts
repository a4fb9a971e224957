// What `kubectl exec` runs in a sandbox pod (src/sandbox/api/exec.ts asks the runtime): the command with the pod's
// environment and working folder; in a data-plane pod, `nginx` or `haproxy` is the Debian binary pointed at the
// config the sandbox generated for it, so `nginx -v`, `nginx -t` and `haproxy -c` tell the truth.
import type { ExecCommand } from '../api/exec';
import { HAPROXY_BIN } from '../haproxy/controller';
import { NGINX_BIN } from '../nginx/controller';
import type { KubeObject } from '../store';
import { isDataPlane } from './apps';
import type { PodRuntime } from './runtime';

export function resolvePodExec(rt: PodRuntime, pod: KubeObject, command: string[]): ExecCommand | undefined {
  const running = rt.pods.find((r) => r.info.namespace === pod.metadata.namespace && r.info.name === pod.metadata.name);
  if (!running || !command.length) return undefined;
  const { spec } = running.process;
  const plane =
    running.info.app === 'ingress-nginx' ? rt.nginx : rt.gateways.find((g) => g.process?.pid === running.process.pid);
  // In the haproxy pod, `haproxy -c` checks the running config, as it would in the controller's container.
  if (running.info.app === 'haproxy-ingress' && rt.haproxy && /(^|\/)haproxy$/.test(command[0])) {
    const rest = command.slice(1);
    const needsConf = rest.includes('-c') && !rest.includes('-f');
    return {
      file: HAPROXY_BIN,
      args: needsConf ? [...rest, '-f', rt.haproxy.confFile] : rest,
      cwd: rt.haproxy.dir,
      env: spec.env,
    };
  }
  if (plane && isDataPlane(running.info.app) && /(^|\/)nginx$/.test(command[0])) {
    const rest = command.slice(1);
    const needsConf = rest.some((a) => /^-[tTs]/.test(a));
    return {
      file: NGINX_BIN,
      args: needsConf ? ['-p', plane.dir, '-c', plane.confFile, ...rest] : rest,
      cwd: plane.dir,
      env: spec.env,
    };
  }
  return { file: command[0], args: command.slice(1), cwd: spec.cwd, env: spec.env };
}
