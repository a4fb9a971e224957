// An error meant for people: a one-line cause and, where it helps, what to do about it.
export class KubetraceError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly code = 'error',
  ) {
    super(message);
    this.name = 'KubetraceError';
  }
}

/** Bad usage or a needed choice: the CLI exits 2. */
export class UsageError extends KubetraceError {
  constructor(
    message: string,
    hint?: string,
    readonly candidates?: string[],
  ) {
    super(message, hint, 'usage');
    this.name = 'UsageError';
  }
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
