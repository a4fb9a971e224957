// Hosts the trace panel webview: strict CSP with a fresh nonce per render, posts queued until the webview
// says "ready", and only allow-listed, validated messages acted on.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { HostToWebview, ProbeSummary, RouteCompareMessage, Trace, WebviewToHost } from '../protocol/messages';
import { assertNever, checkProbe, parseWebviewMessage } from '../protocol/validate';
import { checkTrace } from '../protocol/trace-check';
import { findSpanSourceRef } from '../protocol/source-check';
import { compareRows } from '../protocol/compare';
import { renderPanelHtml } from './panel-html';
import type { BurstItem, History } from './history';
import { BurstHost } from './panel-burst';
import { log } from './output';
import { redactTrace } from '../core/redact';
import { PANEL_VIEW_TYPE, type PanelActions, type Shown } from './panel-types';

export class TracePanel implements vscode.Disposable {
  private static current?: TracePanel;
  private static lastShown?: Shown;
  /** Where the panel was last: a new panel opens there, not in yet another column. */
  private static lastColumn?: vscode.ViewColumn;
  /** The request set shown last, so a reopened panel shows it again. */
  private static lastBurst?: string;
  private ready = false;
  private queue: HostToWebview[] = [];
  private trace?: Trace;
  private probe?: ProbeSummary;
  private historyId?: string;
  private selected?: string;
  /** Set when the shown trace is a request of a request set (the panel offers the way back). */
  private burstId?: string;
  readonly bursts: BurstHost;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ext: vscode.ExtensionContext, history: History, actions: PanelActions): TracePanel {
    if (TracePanel.current) {
      // Revealed where it is: ViewColumn.Beside here would move it to another column on every probe.
      TracePanel.current.panel.reveal(TracePanel.current.panel.viewColumn, true);
      return TracePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Kubetrace',
      { viewColumn: TracePanel.lastColumn ?? vscode.ViewColumn.Beside, preserveFocus: true },
      TracePanel.options(ext),
    );
    try {
      return (TracePanel.current = new TracePanel(panel, ext, history, actions));
    } catch (e) {
      // A panel that cannot render must not stay behind as a blank tab.
      panel.dispose();
      throw e;
    }
  }

  static revive(
    panel: vscode.WebviewPanel,
    ext: vscode.ExtensionContext,
    history: History,
    actions: PanelActions,
    state: unknown,
  ): TracePanel {
    panel.webview.options = TracePanel.options(ext);
    const p = (TracePanel.current = new TracePanel(panel, ext, history, actions));
    // After a window reload the host has no trace of its own: take the webview's, checked like any untrusted input.
    const saved = state as { trace?: unknown; probe?: unknown } | undefined;
    if (saved?.trace) {
      try {
        p.trace = checkTrace(saved.trace, 'state', 'trace');
      } catch {
        /* the panel starts empty */
      }
    }
    if (p.trace && saved?.probe) {
      try {
        p.probe = checkProbe(saved.probe, 'state.probe');
      } catch {
        /* no re-run from here */
      }
    }
    return p;
  }

  static get active(): TracePanel | undefined {
    return TracePanel.current;
  }

  /** Shows again what the panel showed when it was closed (trace, probe, history entry and selected span). */
  restoreLast(): boolean {
    const burst = TracePanel.lastBurst ? this.history.getBurst(TracePanel.lastBurst) : undefined;
    if (burst && !this.trace && !this.bursts.current) {
      this.showBurst(burst);
      return true;
    }
    const last = TracePanel.lastShown;
    if (!last || this.trace) return false;
    this.showTrace(last.trace, last.probe, last.historyId, last.selected);
    return true;
  }

  private static options(ext: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(ext.extensionUri, 'dist'),
        vscode.Uri.joinPath(ext.extensionUri, 'media'),
      ],
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly ext: vscode.ExtensionContext,
    private readonly history: History,
    private readonly actions: PanelActions,
  ) {
    panel.iconPath = vscode.Uri.joinPath(ext.extensionUri, 'media', 'kubetrace.svg');
    this.bursts = new BurstHost({
      history,
      post: (m) => this.post(m),
      showTrace: (trace, burstId) => this.showTrace(trace, undefined, undefined, undefined, burstId),
    });
    this.render();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m) => {
        void this.receive(m);
      }),
      panel.onDidChangeViewState(() => {
        void vscode.commands.executeCommand('setContext', 'kubetrace.panelVisible', panel.visible);
        if (panel.viewColumn !== undefined) TracePanel.lastColumn = panel.viewColumn;
        // A preview tab is replaced by the next file opened in its group; the panel is kept as a normal tab.
        if (panel.active) void vscode.commands.executeCommand('workbench.action.keepEditor');
      }),
    );
  }

  get currentTrace(): Trace | undefined {
    return this.trace;
  }

  private render(): void {
    const w = this.panel.webview;
    const uri = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.ext.extensionUri, ...p)).toString();
    this.ready = false;
    w.html = renderPanelHtml({
      cspSource: w.cspSource,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: uri('dist', 'webview.js'),
      styleUri: uri('dist', 'webview.css'),
    });
  }

  showTrace(
    trace: Trace,
    probe: ProbeSummary | undefined,
    historyId: string | undefined,
    selected?: string,
    burstId?: string,
  ): void {
    // Whatever path a trace came by, the panel (and the state VS Code saves for it) never holds a credential.
    trace = redactTrace(trace);
    this.trace = trace;
    this.probe = probe;
    this.historyId = historyId;
    this.selected = selected;
    this.burstId = burstId;
    this.remember();
    void vscode.commands.executeCommand('setContext', 'kubetrace.hasTrace', true);
    this.post({ type: 'trace', trace, probe, historyId, selected, burstId });
    this.post({ type: 'history', entries: this.history.entries(), currentId: historyId });
  }

  /** Shows a request set of the history (its last filter, when it had one). */
  showBurst(item: BurstItem): void {
    TracePanel.lastBurst = item.entry.id;
    this.bursts.show(item);
    this.post({ type: 'history', entries: this.history.entries(), currentId: item.entry.id });
  }

  showRouteCompare(m: RouteCompareMessage): void {
    this.post(m);
    this.post({ type: 'history', entries: this.history.entries() });
  }

  progress(message: string, fraction?: number, done?: boolean): void {
    this.post({ type: 'progress', message, fraction, done });
  }
  empty(message?: string): void {
    this.post({ type: 'empty', message });
  }

  compare(leftId: string, rightId: string): void {
    const l = this.history.get(leftId),
      r = this.history.get(rightId);
    if (l && r) this.post({ type: 'compare', left: l.entry, right: r.entry, rows: compareRows(l.trace, r.trace) });
  }

  private post(m: HostToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(m);
    else this.queue.push(m);
  }

  private async receive(raw: unknown): Promise<void> {
    const m: WebviewToHost | undefined = parseWebviewMessage(raw);
    if (!m) {
      log.warn('ignored a malformed message from the trace panel');
      return;
    }
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        const q = this.queue;
        this.queue = [];
        if (!q.length) this.post({ type: 'history', entries: this.history.entries() });
        for (const x of q) void this.panel.webview.postMessage(x);
        return;
      }
      case 'openSource': {
        const ref = this.trace ? findSpanSourceRef(this.trace, m.spanId, m.ref) : undefined;
        if (!ref) {
          this.post({
            type: 'sourceStatus',
            spanId: m.spanId,
            ok: false,
            reason: 'that source is not part of the current trace',
          });
          return;
        }
        const r = await this.actions.openSource(ref);
        this.post({ type: 'sourceStatus', spanId: m.spanId, ok: r.ok, reason: r.ok ? undefined : r.reason });
        return;
      }
      case 'selectHistory': {
        const h = this.history.get(m.id);
        const b = this.history.getBurst(m.id);
        if (h) this.showTrace(h.trace, h.probe, h.entry.id);
        else if (b) this.showBurst(b);
        return;
      }
      case 'compare':
        if (!this.bursts.compare(m.leftId, m.rightId)) this.compare(m.leftId, m.rightId);
        return;
      case 'openRequest':
        await this.bursts.openRequest(m.traceId);
        return;
      case 'filterRequests':
        this.bursts.filter(m.filter);
        return;
      case 'export':
        if (this.trace) await this.actions.exportTrace(this.trace, m.format);
        return;
      case 'copy':
        if (m.what === 'traceId' && this.trace) await vscode.env.clipboard.writeText(this.trace.traceId);
        else if (m.what === 'curl') await this.actions.copyCurl();
        return;
      case 'rerun':
        await this.actions.rerun(this.probe);
        return;
      case 'selectSpan':
        if (this.trace?.spans.some((s) => s.spanId === m.spanId)) {
          this.selected = m.spanId;
          this.remember();
        }
        return;
      default:
        assertNever(m);
    }
  }

  private remember(): void {
    if (this.trace)
      TracePanel.lastShown = {
        trace: this.trace,
        probe: this.probe,
        historyId: this.historyId,
        selected: this.selected,
      };
  }

  dispose(): void {
    if (TracePanel.current === this) TracePanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
