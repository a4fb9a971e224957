// The Gateways part of the "Cluster" view: the tree items of the group, Gateway and listener nodes, and their
// children. What they say comes from src/core/kube/tree-text.ts; routes under a listener are the view's 'entry' nodes.
import * as vscode from 'vscode';
import type { GatewayPart, ListenerPart } from '../core/kube/gateway-nodes';
import { gatewayText, gatewaysGroupText, listenerText, type NodeText } from '../core/kube/tree-text';
import type { Node } from './cluster-view';

export type GatewayNode =
  | { nodeType: 'gateways'; parts: GatewayPart[] }
  | { nodeType: 'gateway'; gateway: GatewayPart }
  | { nodeType: 'listener'; gateway: GatewayPart; listener: ListenerPart };

export function gatewayChildren(node: GatewayNode): Node[] {
  switch (node.nodeType) {
    case 'gateways':
      return node.parts.map((gateway) => ({ nodeType: 'gateway', gateway }));
    case 'gateway':
      return [
        ...node.gateway.listeners.map((listener): Node => ({ nodeType: 'listener', gateway: node.gateway, listener })),
        ...node.gateway.unattached.map((via): Node => ({ nodeType: 'entry', entry: via.entry, via })),
      ];
    case 'listener':
      return node.listener.routes.map((via) => ({ nodeType: 'entry', entry: via.entry, via }));
  }
}

export function gatewayItem(node: GatewayNode): vscode.TreeItem {
  const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;
  switch (node.nodeType) {
    case 'gateways':
      // Expanded: a cluster has few Gateways, and the part sits below every Ingress, where it is easy to miss.
      return item(gatewaysGroupText(node.parts), Expanded, 'Gateways', 'type-hierarchy', 'kubetrace.gateways');
    case 'gateway': {
      const g = node.gateway;
      const state = g.listeners.length || g.unattached.length ? Collapsed : None;
      return item(gatewayText(g), state, `Gateway/${g.namespace}/${g.name}`, 'radio-tower', 'kubetrace.gateway');
    }
    case 'listener': {
      const g = node.gateway,
        l = node.listener;
      return item(
        listenerText(l),
        l.routes.length ? Collapsed : None,
        `Gateway/${g.namespace}/${g.name}/${l.name}`,
        'plug',
        'kubetrace.listener',
      );
    }
  }
}

function item(
  t: NodeText,
  state: vscode.TreeItemCollapsibleState,
  id: string,
  icon: string,
  contextValue: string,
): vscode.TreeItem {
  const it = new vscode.TreeItem(t.label, state);
  it.id = id;
  it.description = t.description;
  it.iconPath = new vscode.ThemeIcon(icon);
  it.contextValue = contextValue;
  const md = new vscode.MarkdownString(t.tooltip);
  md.isTrusted = false;
  md.supportHtml = false;
  it.tooltip = md;
  return it;
}
