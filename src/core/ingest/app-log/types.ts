export interface AppLogLine {
  /** The line's own time (the sandbox apps log the request *start*), Unix ns. */
  timeUnixNano?: bigint;
  /** Every key=value / JSON field, values as strings. Empty for plain text. */
  fields: Record<string, string>;
  raw: string;
  requestId?: string;
  traceId?: string;
  spanId?: string;
  traceparent?: string;
  route?: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  level?: string;
  message?: string;
}
