// The details pane for the selected span. Every value goes in as text.
import type { SourceRef, Span } from '../src/protocol/messages';
import { msSince, splitNanos } from '../src/protocol/nanos';
import { el, visible } from './dom';
import { formatDuration, valueText } from './format';
import { icon } from './icons';
import { LAYER_TITLE, shareText, type TraceView } from './model';
import { sourceItem } from './sources';
import { renderSteps } from './steps';

export interface DetailsEvents {
  openSource(spanId: string, ref: SourceRef): void;
  selectSpan(spanIndex: number): void;
}

export interface SourceNote {
  ok: boolean;
  text: string;
}

const LOG_MESSAGE_KEYS = ['log.message', 'message', 'body', 'log', 'exception.message'];

function section(title: string, count: number | undefined, body: Node, open = true): HTMLElement {
  // The count is in the heading: the collapsible's own description is drawn at 60% opacity, too faint to read.
  const heading = count === undefined ? title : `${title} · ${count}`;
  const c = el('vscode-collapsible', { class: 'kt-section', attrs: { heading } });
  if (open) c.setAttribute('open', '');
  c.appendChild(el('div', { class: 'kt-section-body' }, body));
  return c;
}

/** A dotted key with a break opportunity (<wbr>) after each dot and underscore, so a narrow column
 *  wraps it between its words ("http.response." / "status_code"), never inside one. */
export function keyCell(key: string): HTMLElement {
  const th = el('th', { attrs: { scope: 'row' } });
  for (const part of key.split(/(?<=[._/-])/)) {
    if (th.firstChild) th.appendChild(document.createElement('wbr'));
    th.appendChild(document.createTextNode(visible(part)));
  }
  return th;
}

function kvTable(entries: [string, unknown][], cls = 'kt-kv'): HTMLElement {
  const t = el('table', { class: cls });
  const body = el('tbody');
  for (const [k, v] of entries) body.appendChild(el('tr', {}, keyCell(k), el('td', { text: valueText(v) })));
  t.appendChild(body);
  return t;
}

function statusText(span: Span): HTMLElement {
  if (span.status === 'error')
    return el('span', { class: 'kt-status kt-status--error' }, icon('error'), el('span', { text: 'Error' }));
  if (span.status === 'ok')
    return el('span', { class: 'kt-status kt-status--ok' }, icon('check'), el('span', { text: 'OK' }));
  return el('span', { class: 'kt-status', text: 'Unset' });
}

export function renderDetails(
  view: TraceView,
  i: number,
  note: SourceNote | undefined,
  ev: DetailsEvents,
): HTMLElement {
  const info = view.spans[i];
  const s = info.span;
  const open = (ref: SourceRef) => ev.openSource(s.spanId, ref);
  const root = el('div', { class: `kt-details layer-${s.layer}`, attrs: { 'aria-label': `Details of ${s.name}` } });

  root.appendChild(
    el(
      'header',
      { class: 'kt-details-head' },
      el('h2', { class: 'kt-details-title', text: s.name }),
      el(
        'div',
        { class: 'kt-details-sub' },
        el(
          'span',
          { class: 'kt-layer-chip' },
          el('span', { class: 'wf-swatch' }),
          el('span', { text: LAYER_TITLE[s.layer] }),
        ),
        el('span', { class: 'kt-details-service', text: s.service }),
        el('span', { class: 'kt-muted', text: s.kind }),
        statusText(s),
        info.critical
          ? el(
              'span',
              { class: 'kt-critical-chip' },
              icon('flame'),
              el('span', {
                text: `Critical path${info.criticalShare !== undefined ? ` · ${shareText(info.criticalShare)}` : ''}`,
              }),
            )
          : null,
      ),
    ),
  );

  const parent = s.parentSpanId !== undefined ? view.byId.get(s.parentSpanId) : undefined;
  const facts = el('dl', { class: 'kt-facts' });
  const fact = (k: string, v: Node | string) => facts.append(el('dt', { text: k }), el('dd', {}, v));
  fact('Duration', el('strong', { text: formatDuration(info.endMs - info.startMs) }));
  fact('Start', `+${formatDuration(info.startMs)} from trace start`);
  fact('Origin', s.origin);
  fact('Pod', valueText(s.attributes['kubetrace.pod'] ?? '—'));
  fact('Node', valueText(s.attributes['kubetrace.node'] ?? '—'));
  fact('Span ID', el('code', { text: s.spanId }));
  if (parent !== undefined) {
    const b = el('button', {
      class: 'kt-linklike',
      text: `${view.spans[parent].span.name} (${view.spans[parent].span.service})`,
    });
    b.type = 'button';
    b.addEventListener('click', () => ev.selectSpan(parent));
    fact('Parent', b);
  } else if (s.parentSpanId) fact('Parent', el('code', { text: `${s.parentSpanId} (not in this trace)` }));
  root.appendChild(facts);

  const sources = el('div', { class: 'kt-sources' });
  const refs: [SourceRef, boolean][] = [];
  if (s.source) refs.push([s.source, true]);
  for (const r of s.moreSources ?? []) refs.push([r, false]);
  if (refs.length) {
    const list = el('ul', { class: 'kt-source-list' });
    for (const [r, main] of refs) list.appendChild(sourceItem(r, main, open));
    sources.appendChild(list);
  } else {
    sources.appendChild(
      el(
        'p',
        { class: 'kt-no-source' },
        icon('info'),
        el('span', { text: s.sourceReason ?? 'No source location is known for this span.' }),
      ),
    );
  }
  if (note) {
    sources.appendChild(
      el(
        'p',
        { class: `kt-source-note ${note.ok ? 'is-ok' : 'is-error'}`, attrs: { role: 'status' } },
        icon(note.ok ? 'check' : 'warning'),
        el('span', { text: note.text }),
      ),
    );
  }
  root.appendChild(section('Source', refs.length || undefined, sources));

  if (s.steps?.length) {
    const steps = renderSteps(s.steps, open, `${view.trace.traceId}/${i}`);
    root.appendChild(section('nginx execution path', s.steps.length, steps));
  }

  const attrs = Object.entries(s.attributes).sort(([a], [b]) => a.localeCompare(b));
  root.appendChild(
    section(
      'Attributes',
      attrs.length,
      attrs.length ? kvTable(attrs) : el('p', { class: 'kt-muted', text: 'No attributes.' }),
    ),
  );

  if (s.events.length) {
    const list = el('ol', { class: 'kt-events' });
    const base = splitNanos(s.startTimeUnixNano);
    for (const e of s.events) {
      const ms = msSince(splitNanos(e.timeUnixNano), base);
      const offset = ms < 0 ? `−${formatDuration(-ms)}` : `+${formatDuration(ms)}`;
      // Log lines arrive as events: their message is the thing to read, so it goes first, in full.
      const msgKey = LOG_MESSAGE_KEYS.find((k) => typeof e.attributes?.[k] === 'string');
      const attrs = Object.entries(e.attributes ?? {}).filter(([k]) => k !== msgKey);
      list.appendChild(
        el(
          'li',
          { class: 'kt-event' },
          el(
            'div',
            { class: 'kt-event-head' },
            el('span', { class: 'kt-event-time', text: offset }),
            el('span', { class: 'kt-event-name', text: e.name }),
          ),
          msgKey ? el('div', { class: 'kt-event-msg', text: String(e.attributes[msgKey]) }) : null,
          attrs.length ? kvTable(attrs, 'kt-kv kt-kv--small') : null,
        ),
      );
    }
    root.appendChild(section('Events and logs', s.events.length, list));
  }

  if (s.links.length) {
    const list = el('ul', { class: 'kt-links' });
    for (const l of s.links) {
      list.appendChild(
        el(
          'li',
          {},
          el('code', { text: `${l.traceId} / ${l.spanId}` }),
          l.attributes && Object.keys(l.attributes).length
            ? kvTable(Object.entries(l.attributes), 'kt-kv kt-kv--small')
            : null,
        ),
      );
    }
    root.appendChild(section('Links', s.links.length, list));
  }
  return root;
}
