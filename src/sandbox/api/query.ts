// Boolean query parameters, read as the real API server reads them: Go's strconv.ParseBool. kubectl sends `true`,
// Python's client sends `True`; both must mean the same.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** true or false for a value ParseBool accepts; undefined when absent or not a boolean. */
export function parseBool(v: string | null | undefined): boolean | undefined {
  if (v === null || v === undefined) return undefined;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/** The parameter is present and true. */
export const boolParam = (q: URLSearchParams, name: string): boolean => parseBool(q.get(name)) === true;
