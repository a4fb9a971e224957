// Everything the CLI prints goes through terminalSafe: span names, trace ids, paths and messages come from trace
// backends, trace files and cluster objects, and an escape sequence in one of them (clear screen, an OSC 52
// clipboard write, a fake prompt) must not reach the user's terminal. Control characters become visible `\uXXXX`
// text, which is also exactly how JSON escapes them, so `--json` output stays valid and loses nothing.
// Kubetrace's own styling (waterfall colours, the progress line) is written through writeStyled/clearLine.

/** C0 but tab and newline, DEL, C1, and the bidi overrides that reorder what a terminal shows. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const visible = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The text with every control character replaced by its visible `\uXXXX` escape. */
export function terminalSafe(s: string): string {
  return HAS_CONTROL.test(s) ? s.replace(CONTROLS, visible) : s;
}

/** A copy of any JSON-like value (a Trace) whose strings, keys included, are terminalSafe. */
export function terminalSafeDeep<T>(v: T): T {
  // Iterative, so a deeply nested attribute cannot overflow the stack.
  const root = { v: v as unknown };
  const stack: { from: unknown; to: Record<string, unknown> | unknown[]; key: string | number }[] = [
    { from: v, to: root as unknown as Record<string, unknown>, key: 'v' },
  ];
  while (stack.length) {
    const { from, to, key } = stack.pop()!;
    let out: unknown = from;
    if (typeof from === 'string') out = terminalSafe(from);
    else if (Array.isArray(from)) {
      const arr: unknown[] = new Array(from.length);
      for (let i = 0; i < from.length; i++) stack.push({ from: from[i], to: arr, key: i });
      out = arr;
    } else if (from && typeof from === 'object') {
      const obj: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(from)) stack.push({ from: x, to: obj, key: terminalSafe(k) });
      out = obj;
    }
    (to as Record<string | number, unknown>)[key] = out;
  }
  return root.v as T;
}

/** SGR (colour/bold) sequences, the only escapes Kubetrace itself prints. */
const SGR = /\x1b\[[0-9;]*m/g;

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
const originals = new WeakMap<NodeJS.WriteStream, Write>();

/** Kubetrace's own styled text: its SGR colour codes pass, anything else is made terminalSafe. */
export function styledSafe(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(SGR)) {
    out += terminalSafe(text.slice(last, m.index)) + m[0];
    last = m.index! + m[0].length;
  }
  return out + terminalSafe(text.slice(last));
}

/** Writes styled text (a waterfall) past the guard, through styledSafe. */
export function writeStyled(stream: NodeJS.WriteStream, text: string): void {
  (originals.get(stream) ?? stream.write.bind(stream))(styledSafe(text));
}

/** Returns to the start of the line and clears it (the progress line on a TTY). */
export function clearLine(stream: NodeJS.WriteStream): void {
  (originals.get(stream) ?? stream.write.bind(stream))('\r\x1b[2K');
}

/** Makes every later write to stdout and stderr terminalSafe (strings and bytes alike). Call once, at start. */
export function guardTerminal(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (originals.has(stream)) continue;
    const write = stream.write.bind(stream) as Write;
    originals.set(stream, write);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk === 'string') return write(terminalSafe(chunk), ...rest);
      const text = Buffer.from(chunk).toString('utf8');
      return HAS_CONTROL.test(text) ? write(terminalSafe(text), ...rest) : write(chunk, ...rest);
    }) as NodeJS.WriteStream['write'];
  }
}
