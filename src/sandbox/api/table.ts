// Server-side Table output (meta.k8s.io/v1 Table), with the columns and cell formats of the API server's
// printers (pkg/printers/internalversion) and, for Gateway API kinds, their CRDs' printer columns.
import type { KubeObject } from '../store';

interface Col {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
}
type Cell = string | number;
type R = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

const age = (o: KubeObject): string => {
  const t = o.metadata.creationTimestamp;
  return t ? humanDuration(Date.now() - Date.parse(t)) : '<unknown>';
};
const none = (s: string | undefined): string => (s ? s : '<none>');

/** At most `max` entries, then " + N more..." as the printers write it. */
function limited(list: string[], max: number, total = list.length): string {
  if (!list.length) return '<unset>';
  const shown = list.slice(0, max).join(',');
  return total > max ? `${shown} + ${total - max} more...` : shown;
}

const NAME: Col = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
};
const AGE: Col = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};
const col = (name: string, type = 'string', priority = 0): Col => ({
  name,
  type,
  format: '',
  description: name,
  priority,
});

function podRow(p: R): Cell[] {
  const statuses: R[] = p.status?.containerStatuses ?? [];
  const total = (p.spec?.containers ?? []).length;
  const ready = statuses.filter((s) => s.ready).length;
  let reason: string = p.status?.reason ?? p.status?.phase ?? 'Unknown';
  for (const s of statuses) {
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
  }
  if (p.metadata.deletionTimestamp) reason = 'Terminating';
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
  const gates = (p.spec?.readinessGates ?? []).length;
  return [
    p.metadata.name,
    `${ready}/${total}`,
    reason,
    String(restarts),
    age(p as KubeObject),
    none(p.status?.podIP),
    none(p.spec?.nodeName),
    none(p.status?.nominatedNodeName),
    gates ? `${gates}` : '<none>',
  ];
}

function lbAddresses(status: R | undefined): string {
  return (status?.loadBalancer?.ingress ?? [])
    .map((i: R) => i.ip || i.hostname)
    .filter(Boolean)
    .join(',');
}

function serviceRow(s: R): Cell[] {
  const type = s.spec?.type ?? 'ClusterIP';
  let external = '<none>';
  const ips: string[] = [...(s.spec?.externalIPs ?? [])];
  if (type === 'LoadBalancer') {
    const lb = lbAddresses(s.status);
    if (lb) ips.push(...lb.split(','));
    external = ips.length ? ips.join(',') : '<pending>';
  } else if (type === 'ExternalName') external = s.spec?.externalName ?? '<none>';
  else if (ips.length) external = ips.join(',');
  const ports = (s.spec?.ports ?? [])
    .map((p: R) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',');
  const sel = Object.entries(s.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return [s.metadata.name, type, none(s.spec?.clusterIP), external, none(ports), age(s as KubeObject), none(sel)];
}

function ingressHosts(rules: R[]): string {
  const hosts = rules.map((r) => r.host).filter(Boolean);
  if (!hosts.length) return '*';
  return rules.length > 3 ? `${hosts.slice(0, 3).join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

function sliceRow(s: R): Cell[] {
  const ports: string[] = (s.ports ?? []).map((p: R) =>
    p.port === undefined || p.port === null ? '<unset>' : String(p.port),
  );
  const addrs: string[] = (s.endpoints ?? []).flatMap((e: R) => e.addresses ?? []);
  return [s.metadata.name, s.addressType, limited(ports, 3), limited(addrs, 3), age(s as KubeObject)];
}

function endpointsRow(e: R): Cell[] {
  const list: string[] = [];
  for (const ss of e.subsets ?? [])
    for (const a of ss.addresses ?? [])
      for (const p of ss.ports?.length ? ss.ports : [{}]) list.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  return [e.metadata.name, list.length ? limited(list, 3) : '<none>', age(e as KubeObject)];
}

const condition = (o: R, type: string): string =>
  (o.status?.conditions ?? []).find((c: R) => c.type === type)?.status ?? 'Unknown';

interface Printer {
  columns: Col[];
  row: (o: R) => Cell[];
}
const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    row: podRow,
  },
  Service: {
    columns: [
      NAME,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      AGE,
      col('Selector', 'string', 1),
    ],
    row: serviceRow,
  },
  Ingress: {
    columns: [NAME, col('Class'), col('Hosts'), col('Address'), col('Ports'), AGE],
    row: (i) => [
      i.metadata.name,
      none(i.spec?.ingressClassName),
      ingressHosts(i.spec?.rules ?? []),
      lbAddresses(i.status),
      i.spec?.tls?.length ? '80, 443' : '80',
      age(i as KubeObject),
    ],
  },
  IngressClass: {
    columns: [NAME, col('Controller'), col('Parameters'), AGE],
    row: (c) => {
      const p = c.spec?.parameters;
      return [
        c.metadata.name,
        c.spec?.controller ?? '',
        p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>',
        age(c as KubeObject),
      ];
    },
  },
  EndpointSlice: { columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE], row: sliceRow },
  Endpoints: { columns: [NAME, col('Endpoints'), AGE], row: endpointsRow },
  Namespace: {
    columns: [NAME, col('Status'), AGE],
    row: (n) => [n.metadata.name, n.status?.phase ?? 'Active', age(n as KubeObject)],
  },
  Deployment: {
    columns: [
      NAME,
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    row: (d) => {
      const cs: R[] = d.spec?.template?.spec?.containers ?? [];
      const sel = Object.entries(d.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d as KubeObject),
        cs.map((c) => c.name).join(','),
        cs.map((c) => c.image).join(','),
        none(sel),
      ];
    },
  },
  ConfigMap: {
    columns: [NAME, col('Data', 'integer'), AGE],
    row: (c) => [
      c.metadata.name,
      Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length,
      age(c as KubeObject),
    ],
  },
  Secret: {
    columns: [NAME, col('Type'), col('Data', 'integer'), AGE],
    row: (s) => [
      s.metadata.name,
      s.type ?? 'Opaque',
      Object.keys({ ...s.data, ...s.stringData }).length,
      age(s as KubeObject),
    ],
  },
  ServiceAccount: {
    columns: [NAME, col('Secrets', 'integer'), AGE],
    row: (s) => [s.metadata.name, (s.secrets ?? []).length, age(s as KubeObject)],
  },
  // CRD additionalPrinterColumns: arrays print as JSON, dates as relative ages.
  HTTPRoute: {
    columns: [NAME, col('Hostnames'), col('Age', 'date')],
    row: (h) => [h.metadata.name, h.spec?.hostnames ? JSON.stringify(h.spec.hostnames) : '', age(h as KubeObject)],
  },
  Gateway: {
    columns: [NAME, col('Class'), col('Address'), col('Programmed'), col('Age', 'date')],
    row: (g) => [
      g.metadata.name,
      g.spec?.gatewayClassName ?? '',
      (g.status?.addresses ?? []).map((a: R) => a.value).join(','),
      condition(g, 'Programmed'),
      age(g as KubeObject),
    ],
  },
  GatewayClass: {
    columns: [NAME, col('Controller'), col('Accepted'), col('Age', 'date')],
    row: (g) => [g.metadata.name, g.spec?.controllerName ?? '', condition(g, 'Accepted'), age(g as KubeObject)],
  },
};
const DEFAULT: Printer = { columns: [NAME, AGE], row: (o) => [o.metadata.name, age(o as KubeObject)] };

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(
  kind: string,
  objects: KubeObject[],
  o: { apiVersion: string; includeObject: IncludeObject; noHeaders?: boolean; listMeta?: Record<string, unknown> },
): Record<string, unknown> {
  const p = PRINTERS[kind] ?? DEFAULT;
  const columnDefinitions = o.noHeaders
    ? []
    : p.columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      }));
  const rows = objects.map((obj) => {
    const object =
      o.includeObject === 'None'
        ? undefined
        : o.includeObject === 'Object'
          ? obj
          : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    return { cells: p.row(obj as R), ...(object ? { object } : {}) };
  });
  return { kind: 'Table', apiVersion: o.apiVersion, metadata: o.listMeta ?? {}, columnDefinitions, rows };
}
