// The top of the panel: what was probed, how it went, and the actions on the whole trace.
import type { ProbeSummary, Trace } from '../src/protocol/messages';
import { post } from './api';
import { append, el, replaceChildren } from './dom';
import { formatCount, formatDuration } from './format';
import { icon } from './icons';
import type { TraceView } from './model';

export class Header {
  readonly root = el('header', { class: 'kt-top' });
  private readonly actions: HTMLElement[];

  constructor() {
    // A narrow panel drops the optional middle word ("trace ", "as "), never the verb: "Copy ID", "Copy curl".
    const action = (label: string, title: string, run: () => void, secondary = true) => {
      const m = /^(Copy )(trace |as )(.*)$/.exec(label);
      // One span holds the words: the button lays its children out as flex items, which drops the spaces at
      // their edges ("Copytrace ID").
      const b = el(
        'vscode-button',
        { title, attrs: { 'aria-label': label } },
        m ? el('span', {}, m[1], el('span', { class: 'kt-action-long', text: m[2] }), m[3]) : label,
      );
      if (secondary) b.setAttribute('secondary', '');
      b.addEventListener('click', () => {
        if (!b.hasAttribute('disabled')) run();
      });
      return b;
    };
    this.actions = [
      action('Re-run', 'Send the same probe again', () => post({ type: 'rerun' }), false),
      action('Copy trace ID', 'Copy the trace ID', () => post({ type: 'copy', what: 'traceId' })),
      action('Copy as curl', 'Copy the probe as a curl command', () => post({ type: 'copy', what: 'curl' })),
      action('Export OTLP', 'Save the trace as OTLP JSON', () => post({ type: 'export', format: 'otlp' })),
      action('Export Jaeger', 'Save the trace as Jaeger JSON', () => post({ type: 'export', format: 'jaeger' })),
    ];
  }

  /** `label` names a trace that is not a probe (e.g. one request of a burst); absent: "Imported trace". */
  render(trace: Trace | undefined, probe: ProbeSummary | undefined, view: TraceView | undefined, label?: string): void {
    const title = el('div', { class: 'kt-title' });
    if (probe) {
      title.append(
        el('span', { class: 'kt-method', text: probe.method }),
        el('span', { class: 'kt-url', text: probe.url, title: probe.url }),
        probeStatus(probe),
      );
    } else {
      title.append(el('span', { class: 'kt-url', text: trace ? (label ?? 'Imported trace') : 'Kubetrace' }));
    }
    const meta = el('div', { class: 'kt-meta' });
    if (trace && view) {
      const errors = view.spans.filter((s) => s.error).length;
      append(
        meta,
        probe ? el('span', { text: probe.target }) : null,
        el('span', {}, 'trace ', el('code', { text: trace.traceId })),
        el('span', { text: `${formatCount(view.spans.length)} spans` }),
        el('span', { text: `${formatDuration(view.totalMs)} total` }),
        probe?.via ? el('span', { text: `via ${probe.via}` }) : null,
        errors
          ? el(
              'span',
              { class: 'kt-meta-error' },
              icon('error'),
              el('span', { text: `${errors} error span${errors === 1 ? '' : 's'}` }),
            )
          : null,
      );
    }
    for (const b of this.actions) {
      const rerun = b === this.actions[0];
      if (trace || rerun) b.removeAttribute('disabled');
      else b.setAttribute('disabled', '');
      if (rerun && !probe) b.setAttribute('disabled', '');
    }
    replaceChildren(
      this.root,
      el('div', { class: 'kt-top-text' }, title, meta),
      el('div', { class: 'kt-actions', role: 'toolbar', attrs: { 'aria-label': 'Trace actions' } }, ...this.actions),
    );
  }
}

function probeStatus(p: ProbeSummary): HTMLElement {
  if (p.error) return el('span', { class: 'kt-pill kt-pill--error' }, icon('error'), el('span', { text: p.error }));
  if (p.status === undefined) return el('span', { class: 'kt-pill', text: 'no response' });
  const cls = p.status >= 500 ? 'error' : p.status >= 400 ? 'warn' : 'ok';
  return el(
    'span',
    { class: `kt-pill kt-pill--${cls}` },
    icon(cls === 'error' ? 'error' : cls === 'warn' ? 'warning' : 'check'),
    el('span', { text: `${p.status}${p.durationMs !== undefined ? ` · ${formatDuration(p.durationMs)}` : ''}` }),
  );
}
