// Access-looking lines that cannot be read (issue 16: "keep warnings for lines that look like access lines but
// cannot be read"). A log with a broken line every thousand lines would otherwise print hundreds of warnings, so
// the first few are printed with their numbers and one line says how many more there were; the line counts that
// `import` prints at the end always include every one.
export const MAX_LINE_WARNINGS = 20;

export class LineWarnings {
  count = 0;

  /** `print` gets whole lines, newline included. */
  constructor(
    private readonly print: (text: string) => void,
    private readonly max = MAX_LINE_WARNINGS,
  ) {}

  add(lineNumber: number, error: string, line: string): void {
    this.count++;
    if (this.count <= this.max) this.print(`warning: line ${lineNumber}: ${error}: ${line.slice(0, 200)}\n`);
  }

  /** The line for the warnings left out, if any. */
  finish(): void {
    const more = this.count - this.max;
    if (more > 0) this.print(`warning: … and ${more} more unreadable line${more === 1 ? '' : 's'}\n`);
  }
}
