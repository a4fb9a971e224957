// A pod's status as the kubelet reports it, from what the sandbox runtime knows about its process.

export interface PodState {
  /** The process listens (or the pod has no process at all). */
  ready: boolean;
  /** Default: Running when ready or `running`, else Pending. */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** The process runs but does not listen yet. */
  running?: boolean;
  /** Waiting/terminated reason shown by kubectl, e.g. ContainerCreating, CrashLoopBackOff, Error. */
  reason?: string;
  message?: string;
  restartCount?: number;
  exitCode?: number;
  /** Port name → the port the process really listens on (rewrites the pod's containerPorts). */
  containerPorts?: Record<string, number>;
  /** Declared port → real port, in single-address mode (src/sandbox/port-map.ts): rewrites those containerPorts. */
  portMap?: Record<number, number>;
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

export function podStatus(
  spec: Record<string, unknown>,
  podIP: string,
  state: PodState,
  startTime: Date,
): Record<string, unknown> {
  const now = iso(new Date());
  const running = state.ready || state.running === true;
  const phase = state.phase ?? (running ? 'Running' : 'Pending');
  const cond = (type: string, ok: boolean, reason?: string) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
    ...(reason ? { reason } : {}),
  });
  const containers = (spec.containers as { name: string; image?: string }[] | undefined) ?? [];
  const containerStatuses = containers.map((c) => {
    let st: Record<string, unknown>;
    if (phase === 'Failed' || phase === 'Succeeded') {
      st = {
        terminated: {
          exitCode: state.exitCode ?? (phase === 'Failed' ? 1 : 0),
          reason: state.reason ?? (phase === 'Failed' ? 'Error' : 'Completed'),
          startedAt: iso(startTime),
          finishedAt: now,
          ...(state.message ? { message: state.message } : {}),
        },
      };
    } else if (running && !state.reason) {
      st = { running: { startedAt: iso(startTime) } };
    } else {
      st = {
        waiting: { reason: state.reason ?? 'ContainerCreating', ...(state.message ? { message: state.message } : {}) },
      };
    }
    return {
      name: c.name,
      state: st,
      ready: state.ready,
      restartCount: state.restartCount ?? 0,
      image: c.image ?? '',
      imageID: '',
      containerID: `sandbox://${c.name}`,
      started: running,
    };
  });
  const notReady = state.ready ? undefined : 'ContainersNotReady';
  return {
    phase,
    conditions: [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', true),
      cond('Ready', state.ready, notReady),
      cond('ContainersReady', state.ready, notReady),
      cond('PodScheduled', true),
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: iso(startTime),
    containerStatuses,
    qosClass: 'BestEffort',
  };
}
