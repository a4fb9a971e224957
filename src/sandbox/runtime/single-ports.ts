// Single-address mode (src/sandbox/runtime/addressing.ts): each app pod's declared ports get real ones the OS picks
// on 127.0.0.1, all held at once so no two pods (nor two sandboxes) share one. The pod's spec and its port map
// show them (src/sandbox/port-map.ts), so EndpointSlices and the API's proxy and port-forward follow.
import { setPodState } from '../controllers';
import { portMap } from '../port-map';
import type { KubeObject, ObjectStore } from '../store';
import { SINGLE_ADDRESS } from './addressing';
import { freePorts } from './ports';

export async function assignPorts(store: ObjectStore, pods: KubeObject[]): Promise<void> {
  const todo = pods.filter((p) => !portMap(p).size);
  const declared = todo.map((p) => [
    ...new Set(
      ((p.spec as { containers?: { ports?: { containerPort: number }[] }[] }).containers ?? []).flatMap((c) =>
        (c.ports ?? []).map((cp) => cp.containerPort),
      ),
    ),
  ]);
  const free = await freePorts(SINGLE_ADDRESS, declared.flat().length);
  todo.forEach((p, i) => {
    const map = Object.fromEntries(declared[i].map((d) => [d, free.shift()!]));
    setPodState(store, p.metadata.namespace!, p.metadata.name, { ready: false, portMap: map });
  });
}
