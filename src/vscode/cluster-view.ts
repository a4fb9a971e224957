// The "Cluster" view: context first, then Ingresses and HTTPRoutes -> rules -> paths -> Service:port -> pods, then
// the Gateways part (gateway-view.ts), whose listeners hold the same HTTPRoute nodes, reached `via` a listener.
// Nodes are a discriminated union; contextValue flags drive the menus in package.json.
import * as vscode from 'vscode';
import type { Backend, Endpoint, RouteEntry, RoutePath, RouteRule } from '../core/kube/routes';
import { buildGatewayParts, type GatewayPart, type ListenerRoute } from '../core/kube/gateway-nodes';
import type { RouteTree } from '../core/kube/route-tree';
import { listenerRouteText, matchText, routeContext } from '../core/kube/tree-text';
import { UNREACHABLE_TITLE, type Cluster } from './cluster';
import { gatewayChildren, gatewayItem, type GatewayNode } from './gateway-view';
import { stripUserInfo } from '../core/redact';

export type Node =
  | { nodeType: 'context' }
  | { nodeType: 'notice'; text: string }
  | { nodeType: 'error'; title: string; message: string; hint?: string; actions: string[] }
  | { nodeType: 'action'; label: string; command: string; icon: string }
  | { nodeType: 'loading' }
  | { nodeType: 'empty' }
  | { nodeType: 'entry'; entry: RouteEntry; via?: ListenerRoute }
  | { nodeType: 'rule'; entry: RouteEntry; rule: RouteRule; via?: ListenerRoute }
  | { nodeType: 'path'; entry: RouteEntry; rule: RouteRule; path: RoutePath; via?: ListenerRoute }
  | { nodeType: 'defaultBackend'; entry: RouteEntry; backend: Backend }
  | { nodeType: 'backend'; entry: RouteEntry; backend: Backend }
  | { nodeType: 'endpoint'; backend: Backend; endpoint: Endpoint }
  | GatewayNode;

// One Gateways part per listing: the tree asks for the top level on every change, the listing changes less often.
const gatewayParts = new WeakMap<RouteTree, GatewayPart[]>();
const partsOf = (tree: RouteTree): GatewayPart[] => {
  let parts = gatewayParts.get(tree);
  if (!parts) gatewayParts.set(tree, (parts = buildGatewayParts(tree.snapshot, tree.entries)));
  return parts;
};

const ACTIONS: Record<string, { label: string; command: string; icon: string }> = {
  retry: { label: 'Retry', command: 'kubetrace.refresh', icon: 'refresh' },
  kubeconfig: { label: 'Open kubeconfig', command: 'kubetrace.openKubeconfig', icon: 'go-to-file' },
  context: { label: 'Switch context', command: 'kubetrace.switchContext', icon: 'arrow-swap' },
  trust: { label: 'Manage Workspace Trust', command: 'workbench.trust.manage', icon: 'shield' },
  sandbox: { label: 'Start sandbox', command: 'kubetrace.startSandbox', icon: 'vm' },
};

export class ClusterTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** canStartSandbox: whether Start sandbox has something to run (src/vscode/sandbox.ts); no dead buttons. */
  constructor(
    private readonly cluster: Cluster,
    private readonly canStartSandbox: () => boolean = () => false,
  ) {
    cluster.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.top();
    switch (node.nodeType) {
      case 'error':
        return [
          { nodeType: 'notice', text: node.message },
          ...(node.hint ? [{ nodeType: 'notice', text: `Hint: ${node.hint}` } as Node] : []),
          ...node.actions.map((a): Node => ({ nodeType: 'action', ...ACTIONS[a] })),
        ];
      case 'entry': {
        const kids: Node[] = node.entry.rules.map((rule) => ({
          nodeType: 'rule',
          entry: node.entry,
          rule,
          via: node.via,
        }));
        if (node.entry.defaultBackend)
          kids.unshift({ nodeType: 'defaultBackend', entry: node.entry, backend: node.entry.defaultBackend });
        return kids;
      }
      case 'rule':
        return node.rule.paths.map((path) => ({
          nodeType: 'path',
          entry: node.entry,
          rule: node.rule,
          path,
          via: node.via,
        }));
      case 'path':
        return node.path.backends.map((backend) => ({ nodeType: 'backend', entry: node.entry, backend }));
      case 'defaultBackend':
      case 'backend':
        return node.backend.endpoints.map((endpoint) => ({ nodeType: 'endpoint', backend: node.backend, endpoint }));
      case 'gateways':
      case 'gateway':
      case 'listener':
        return gatewayChildren(node);
      default:
        return [];
    }
  }

  private top(): Node[] {
    const s = this.cluster.state;
    // Workspace settings that Restricted Mode passed over: the tree says so, whatever else it shows.
    const notes: Node[] = this.cluster.notes.map((text) => ({ nodeType: 'notice', text }));
    switch (s.kind) {
      case 'noKubeconfig':
        if (!notes.length) return []; // the welcome view takes over
        return [
          ...notes,
          { nodeType: 'notice', text: `No kubeconfig found: looked at ${s.looked}` },
          { nodeType: 'action', ...ACTIONS.kubeconfig },
          { nodeType: 'action', ...ACTIONS.trust },
        ];
      case 'loading':
        return [{ nodeType: 'loading' }];
      case 'error':
        return [
          { nodeType: 'context' },
          ...notes,
          {
            nodeType: 'error',
            title: s.title,
            message: s.message,
            hint: s.hint,
            // No cluster answers: the sandbox is one that will, when this extension can start it.
            actions: s.title === UNREACHABLE_TITLE && this.canStartSandbox() ? [...s.actions, 'sandbox'] : s.actions,
          },
        ];
      case 'ready': {
        const notices: Node[] = s.tree.notices.map((text) => ({ nodeType: 'notice', text }));
        const entries: Node[] = s.tree.entries.map((entry) => ({ nodeType: 'entry', entry }));
        // No Gateways (no Gateway API CRDs, or none may be listed): no part at all, not an empty or error node.
        const parts = partsOf(s.tree);
        return [
          { nodeType: 'context' },
          ...notes,
          ...notices,
          ...(entries.length ? entries : [{ nodeType: 'empty' } as Node]),
          ...(parts.length ? [{ nodeType: 'gateways', parts } as Node] : []),
        ];
      }
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None,
      Collapsed = vscode.TreeItemCollapsibleState.Collapsed,
      Expanded = vscode.TreeItemCollapsibleState.Expanded;
    switch (node.nodeType) {
      case 'context': {
        const c = this.cluster.config;
        const item = new vscode.TreeItem(c ? c.contextName : 'no context', None);
        const server = c ? stripUserInfo(c.server) : '';
        item.description = c
          ? `${server}${this.cluster.namespaces.length ? `  ·  ${this.cluster.namespaces.join(', ')}` : ''}`
          : '';
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.contextValue = 'kubetrace.context';
        item.tooltip = c
          ? md(
              `**Context** ${c.contextName}\n\nServer: \`${server}\`\n\nUser: ${c.user}\n\n` +
                `Kubeconfig: ${c.files.join(', ')}\n\nNamespaces: ${this.cluster.namespaces.join(', ') || 'all'}`,
            )
          : undefined;
        item.command = { command: 'kubetrace.switchContext', title: 'Switch Context' };
        return item;
      }
      case 'notice':
        return withIcon(new vscode.TreeItem(node.text, None), 'info', 'kubetrace.notice', node.text);
      case 'loading':
        return withIcon(new vscode.TreeItem('Loading…', None), 'loading~spin', 'kubetrace.loading');
      case 'empty':
        return withIcon(new vscode.TreeItem('No Ingresses or HTTPRoutes', None), 'circle-slash', 'kubetrace.empty');
      case 'error': {
        const item = withIcon(
          new vscode.TreeItem(node.title, Expanded),
          'error',
          `kubetrace.error:${node.actions.join(':')}`,
          `${node.message}${node.hint ? `\n\n${node.hint}` : ''}`,
        );
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.description = node.hint;
        return item;
      }
      case 'action': {
        const item = withIcon(new vscode.TreeItem(node.label, None), node.icon, 'kubetrace.action');
        item.command = { command: node.command, title: node.label };
        return item;
      }
      case 'entry': {
        const e = node.entry;
        const via = node.via && listenerRouteText(node.via);
        const item = new vscode.TreeItem(e.name, Collapsed);
        item.id = `${node.via?.scope ?? ''}${e.kind}/${e.namespace}/${e.name}`;
        item.description =
          `${e.namespace}${e.className ? ` · ${e.className}` : ''}` +
          `${e.addresses.length ? ` · ${e.addresses.join(', ')}` : ''}${via?.description ? ` · ${via.description}` : ''}`;
        item.iconPath = via?.description
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
          : new vscode.ThemeIcon(e.kind === 'Ingress' ? 'globe' : 'git-merge');
        item.contextValue = routeContext(e.kind, 'entry', !!node.via?.problem);
        item.tooltip = md(
          [
            `**${e.kind}** ${e.namespace}/${e.name}`,
            e.className ? `Class: ${e.className}${e.controller ? ` (${e.controller})` : ''}` : '',
            e.addresses.length
              ? `Address: ${e.addresses.join(', ')}`
              : 'No load-balancer address (probes go through a port-forward)',
            e.tls.length ? `TLS: ${e.tls.map((t) => t.hosts.join(', ')).join('; ')}` : '',
            e.kind === 'HTTPRoute'
              ? '_Probing HTTPRoutes comes later: Kubetrace reads ingress-nginx ' +
                'logs today, and HTTPRoutes are served by Gateway controllers._'
              : '',
            via?.tooltip ?? '',
          ]
            .filter(Boolean)
            .join('\n\n'),
        );
        return item;
      }
      case 'rule': {
        const item = new vscode.TreeItem(node.rule.host ?? '*', Collapsed);
        item.id =
          `${node.via?.scope ?? ''}${node.entry.kind}/${node.entry.namespace}/${node.entry.name}` +
          `/${node.rule.host ?? '*'}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.contextValue = routeContext(node.entry.kind, 'rule', !!node.via?.problem);
        item.description = node.entry.tls.some((t) => t.hosts.includes(node.rule.host ?? '')) ? 'https' : 'http';
        item.tooltip = md(`Host **${node.rule.host ?? '* (any host)'}**\n\n${node.rule.paths.length} path(s)`);
        return item;
      }
      case 'path': {
        const item = new vscode.TreeItem(node.path.path, Collapsed);
        item.id =
          `${node.via?.scope ?? ''}${node.entry.kind}/${node.entry.namespace}/${node.entry.name}` +
          `/${node.rule.host ?? '*'}${node.path.path}#${node.path.pathType}` +
          // Two HTTPRoute matches may share a path and differ in headers: the ids must still differ.
          `${node.path.matches ? `?${matchText(node.path)}` : ''}`;
        item.description = matchText(node.path);
        item.iconPath = new vscode.ThemeIcon('symbol-string');
        item.contextValue = routeContext(node.entry.kind, 'path', !!node.via?.problem);
        item.tooltip = md(
          `Path \`${node.path.path}\` (${node.path.pathType})\n\n→ ${node.path.backends.map(backendLabel).join(', ')}`,
        );
        return item;
      }
      case 'defaultBackend':
      case 'backend': {
        const b = node.backend;
        const item = new vscode.TreeItem(
          `${node.nodeType === 'defaultBackend' ? 'default backend: ' : ''}${backendLabel(b)}`,
          b.endpoints.length ? Collapsed : None,
        );
        const ready = b.endpoints.filter((x) => x.ready).length;
        item.description =
          (b.weight === undefined ? '' : `weight ${b.weight} · `) +
          (b.missing
            ? 'service missing'
            : b.resource
              ? 'resource (not probed)'
              : `${ready}/${b.endpoints.length} ready`);
        item.iconPath = new vscode.ThemeIcon(
          b.missing ? 'warning' : 'server-process',
          b.missing ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
        );
        item.contextValue = 'kubetrace.backend';
        const endpoint = (x: Endpoint) =>
          `- ${x.pod ?? '?'} ${x.ip}:${x.port} ${x.ready ? 'ready' : 'not ready'}${x.node ? ` on ${x.node}` : ''}`;
        item.tooltip = md(`${backendLabel(b)}\n\n${b.endpoints.map(endpoint).join('\n') || 'no endpoints'}`);
        return item;
      }
      case 'endpoint': {
        const x = node.endpoint;
        const item = new vscode.TreeItem(x.pod ?? x.ip, None);
        item.description = `${x.ip}:${x.port}${x.node ? ` · ${x.node}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(
          x.ready ? 'pass-filled' : 'circle-large-outline',
          new vscode.ThemeColor(x.ready ? 'testing.iconPassed' : 'testing.iconFailed'),
        );
        item.contextValue = `kubetrace.pod:${x.ready ? 'ready' : 'notready'}`;
        item.tooltip = md(
          `Pod **${x.pod ?? '?'}**\n\nIP ${x.ip}:${x.port}\n\n${x.ready ? 'Ready' : 'Not ready'}${x.node ? `\n\nNode ${x.node}` : ''}`,
        );
        return item;
      }
      case 'gateways':
      case 'gateway':
      case 'listener':
        return gatewayItem(node);
    }
  }

  refresh(): void {
    this.changed.fire(undefined);
  }
}

const backendLabel = (b: Backend) =>
  b.resource ? `${b.resource.kind}/${b.resource.name}` : `${b.service?.name}:${b.service?.port}`;

function withIcon(item: vscode.TreeItem, icon: string, contextValue: string, tooltip?: string): vscode.TreeItem {
  item.iconPath = new vscode.ThemeIcon(icon);
  item.contextValue = contextValue;
  if (tooltip) item.tooltip = tooltip;
  return item;
}

function md(s: string): vscode.MarkdownString {
  const m = new vscode.MarkdownString(s);
  m.isTrusted = false;
  m.supportHtml = false;
  return m;
}
