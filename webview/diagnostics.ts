// Diagnostics at the top of the panel, in plain words: icon + severity word + message + hint.
import type { Diagnostic } from '../src/protocol/messages';
import { el } from './dom';
import { icon } from './icons';

const ORDER = { error: 0, warning: 1, info: 2 } as const;
const WORD = { error: 'Error', warning: 'Warning', info: 'Note' } as const;
const SHOWN = 4;

export function renderDiagnostics(
  diags: readonly Diagnostic[],
  showSpan: (spanId: string) => boolean,
): HTMLElement | null {
  if (!diags.length) return null;
  const sorted = [...diags].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const list = el('ul', { class: 'kt-diags', attrs: { 'aria-label': 'Diagnostics' } });
  const items = sorted.map((d) => {
    const li = el(
      'li',
      { class: `kt-diag kt-diag--${d.severity}` },
      icon(d.severity === 'info' ? 'info' : d.severity),
      el(
        'div',
        { class: 'kt-diag-text' },
        el('span', { class: 'kt-diag-sev', text: `${WORD[d.severity]}:` }),
        el('span', { class: 'kt-diag-msg', text: ` ${d.message}` }),
        d.hint ? el('div', { class: 'kt-diag-hint', text: `Hint: ${d.hint}` }) : null,
      ),
      el('code', { class: 'kt-diag-code', text: d.code }),
    );
    if (d.spanId) {
      const spanId = d.spanId;
      const b = el('button', { class: 'kt-linklike kt-diag-show', text: 'Show span' });
      b.type = 'button';
      b.addEventListener('click', () => {
        if (!showSpan(spanId)) b.textContent = 'Span not in trace';
      });
      li.appendChild(b);
    }
    return li;
  });
  items.forEach((li, k) => {
    if (k >= SHOWN) li.hidden = true;
    list.appendChild(li);
  });
  if (items.length > SHOWN) {
    const more = el('button', { class: 'kt-linklike kt-diags-more', text: `Show ${items.length - SHOWN} more` });
    more.type = 'button';
    more.addEventListener('click', () => {
      items.forEach((li) => {
        li.hidden = false;
      });
      more.remove();
    });
    list.appendChild(el('li', { class: 'kt-diag-more' }, more));
  }
  return list;
}
