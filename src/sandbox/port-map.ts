// In single-address mode (src/sandbox/runtime/addressing.ts) a pod's ports are not the ones its manifest declares:
// every pod shares 127.0.0.1, so each gets ports of its own. The pod's spec then shows the real containerPorts and
// this annotation keeps declared → real, so what still names a declared number reaches the process: a Service's
// numeric targetPort (api/endpointslices.ts), port-forward and the pod proxy (api/server.ts, api/proxy.ts).
import type { KubeObject } from './store';

export const PORT_MAP_ANNOTATION = 'sandbox.kubetrace.dev/ports';

/** Declared port → the port the pod's process listens on (empty outside single-address mode). */
export function portMap(pod: Pick<KubeObject, 'metadata'>): Map<number, number> {
  const raw = pod.metadata.annotations?.[PORT_MAP_ANNOTATION];
  if (!raw) return new Map();
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    return new Map(
      Object.entries(o)
        .filter(([k, v]) => /^\d+$/.test(k) && Number.isInteger(v))
        .map(([k, v]) => [Number(k), v as number]),
    );
  } catch {
    return new Map();
  }
}

/** Where a connection to the pod's `port` goes: the real port for a declared one, else `port` itself. */
export const realPort = (pod: Pick<KubeObject, 'metadata'>, port: number): number => portMap(pod).get(port) ?? port;

/**
 * Whether a connection to the pod's `port` may go through: in single-address mode every pod shares 127.0.0.1, so a
 * port that is none of this pod's would reach another pod's process, which its network namespace would not.
 */
export function ownsPort(pod: Pick<KubeObject, 'metadata'>, port: number): boolean {
  const m = portMap(pod);
  return !m.size || m.has(port) || [...m.values()].includes(port);
}
