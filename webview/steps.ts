// The nginx execution path: steps grouped by phase (consecutive runs, so the order stays the order
// nginx ran them), each group a collapsible with a count, each step with its source line.
import type { SourceRef, Step } from '../src/protocol/messages';
import { el } from './dom';
import { icon } from './icons';
import { shortRefText, refText } from './sources';

export interface PhaseGroup {
  phase: string;
  steps: Step[];
}

export function groupSteps(steps: readonly Step[]): PhaseGroup[] {
  const groups: PhaseGroup[] = [];
  for (const s of steps) {
    const last = groups[groups.length - 1];
    if (last && last.phase === s.phase) last.steps.push(s);
    else groups.push({ phase: s.phase, steps: [s] });
  }
  return groups;
}

function stepButton(ref: SourceRef, onOpen: (ref: SourceRef) => void, label?: string): HTMLElement {
  const b = el(
    'button',
    { class: 'kt-step-open', title: `Open ${refText(ref)}${ref.function ? ` (${ref.function})` : ''}` },
    icon('file'),
    el('span', { text: label ?? shortRefText(ref) }),
  );
  b.type = 'button';
  b.addEventListener('click', () => onOpen(ref));
  return b;
}

/** Which phase groups the user opened, per span: the details are rebuilt when a source note arrives (after a step
 *  is opened), and the groups must stay as the user left them. */
const opened = new Map<string, Set<number>>();
const MAX_REMEMBERED = 50;

export function renderSteps(steps: readonly Step[], onOpen: (ref: SourceRef) => void, key = ''): HTMLElement {
  const groups = groupSteps(steps);
  let open = opened.get(key);
  if (!open) {
    // Short paths open whole; a long one (a debug log has hundreds of steps) starts folded.
    open = new Set(steps.length <= 40 ? groups.map((_, i) => i) : []);
    if (opened.size >= MAX_REMEMBERED) opened.delete(opened.keys().next().value!);
    opened.set(key, open);
  }
  const cols: (HTMLElement & { open: boolean })[] = [];
  const box = el('div', { class: 'kt-steps' });
  const bar = el('div', { class: 'kt-steps-bar' });
  const all = (want: boolean) => {
    for (const [i, c] of cols.entries()) {
      c.open = want;
      if (want) open.add(i);
      else open.delete(i);
    }
  };
  if (groups.length > 1) {
    bar.append(
      barButton('Expand all', () => all(true)),
      barButton('Collapse all', () => all(false)),
    );
    box.appendChild(bar);
  }
  for (const [i, g] of groups.entries()) {
    const col = el('vscode-collapsible', {
      class: 'kt-phase',
      // The count is in the heading, not the collapsible's description, which is drawn at 60% opacity.
      attrs: { heading: `${g.phase} · ${g.steps.length} step${g.steps.length === 1 ? '' : 's'}` },
    }) as HTMLElement & { open: boolean };
    if (open.has(i)) col.setAttribute('open', '');
    col.addEventListener('vsc-collapsible-toggle', (e) => {
      if ((e as CustomEvent<{ open: boolean }>).detail.open) open.add(i);
      else open.delete(i);
    });
    cols.push(col);
    const list = el('ol', { class: 'kt-step-list' });
    for (const s of g.steps) {
      const li = el(
        'li',
        { class: 'kt-step' },
        el('span', { class: 'kt-step-msg', text: s.message }),
        s.source ? stepButton(s.source, onOpen) : el('span', { class: 'kt-muted', text: 'no source line' }),
      );
      if (s.ambiguous?.length) {
        const note = el(
          'div',
          { class: 'kt-step-ambiguous' },
          icon('info'),
          el('span', {
            text: `Ambiguous: the same message is logged from ${s.ambiguous.length + (s.source ? 1 : 0)} places. Other candidates:`,
          }),
        );
        for (const alt of s.ambiguous) note.appendChild(stepButton(alt, onOpen));
        li.appendChild(note);
      }
      list.appendChild(li);
    }
    col.appendChild(list);
    box.appendChild(col);
  }
  return box;
}

function barButton(text: string, onClick: () => void): HTMLElement {
  const b = el('vscode-button', { text, attrs: { secondary: '' } });
  b.addEventListener('click', onClick);
  return b;
}
