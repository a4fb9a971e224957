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

export function renderSteps(steps: readonly Step[], onOpen: (ref: SourceRef) => void): HTMLElement {
  const groups = groupSteps(steps);
  const openAll = steps.length <= 40;
  const box = el('div', { class: 'kt-steps' });
  for (const g of groups) {
    const col = el('vscode-collapsible', {
      class: 'kt-phase',
      // The count is in the heading, not the collapsible's description, which is drawn at 60% opacity.
      attrs: { heading: `${g.phase} · ${g.steps.length} step${g.steps.length === 1 ? '' : 's'}` },
    });
    if (openAll) col.setAttribute('open', '');
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
