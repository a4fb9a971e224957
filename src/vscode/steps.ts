// Multi-step input with a step counter and a Back button (VS Code's quick input), for Send Probe With Options.
// The steps are recomputed from the answers so far, so a later step can depend on an earlier one (no body for GET).
import * as vscode from 'vscode';

export type StepSpec =
  | { kind: 'pick'; title: string; items: string[]; value?: string }
  | {
      kind: 'input';
      title: string;
      value?: string;
      placeHolder?: string;
      prompt?: string;
      validate?: (v: string) => string | undefined;
    };

const BACK = Symbol('back');

/** Runs the steps; undefined when the user pressed Esc, else one answer per step. */
export async function runSteps(steps: (answers: string[]) => StepSpec[]): Promise<string[] | undefined> {
  const answers: string[] = [];
  for (let i = 0; ;) {
    const all = steps(answers);
    if (i >= all.length) return answers.slice(0, all.length);
    const got = await ask(all[i], i + 1, all.length, answers[i]);
    if (got === undefined) return undefined;
    if (got === BACK) i = Math.max(0, i - 1);
    else answers[i++] = got;
  }
}

function ask(
  spec: StepSpec,
  step: number,
  total: number,
  previous?: string,
): Promise<string | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const q = spec.kind === 'pick' ? vscode.window.createQuickPick() : vscode.window.createInputBox();
    let done = false;
    const finish = (v: string | typeof BACK | undefined) => {
      if (done) return;
      done = true;
      q.dispose();
      resolve(v);
    };
    q.title = spec.title;
    q.step = step;
    q.totalSteps = total;
    q.ignoreFocusOut = true;
    if (step > 1) q.buttons = [vscode.QuickInputButtons.Back];
    q.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    q.onDidHide(() => finish(undefined));
    if ('items' in q && spec.kind === 'pick') {
      q.items = spec.items.map((label) => ({ label }));
      const want = previous ?? spec.value;
      const active = q.items.find((i) => i.label === want);
      if (active) q.activeItems = [active];
      q.onDidAccept(() => finish(q.activeItems[0]?.label));
    } else if (!('items' in q) && spec.kind === 'input') {
      q.value = previous ?? spec.value ?? '';
      q.placeholder = spec.placeHolder;
      q.prompt = spec.prompt;
      q.onDidChangeValue((v) => (q.validationMessage = spec.validate?.(v)));
      q.onDidAccept(() => {
        const why = spec.validate?.(q.value);
        if (why) q.validationMessage = why;
        else finish(q.value);
      });
    }
    q.show();
  });
}
