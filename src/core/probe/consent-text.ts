// What a consent question shows about a request besides its method and URL: the headers the user added (secrets
// redacted, as everywhere: src/core/redact.ts) and the body's size with a short redacted preview.
import { isSecretHeader, redact } from '../redact';

const PREVIEW = 120;

export function requestDetail(headers: Record<string, string> | undefined, body: string | undefined): string {
  const parts: string[] = [];
  const hs = Object.entries(headers ?? {});
  if (hs.length)
    parts.push(`Headers: ${hs.map(([k, v]) => `${k}: ${isSecretHeader(k) ? '[redacted]' : redact(v)}`).join('; ')}`);
  if (body) {
    const bytes = Buffer.byteLength(body);
    const flat = redact(body.replace(/\s+/g, ' ').trim());
    parts.push(`Body: ${bytes} bytes, ${flat.length > PREVIEW ? `${flat.slice(0, PREVIEW)}…` : flat}`);
  }
  return parts.join(' · ') || 'No extra headers, no body';
}

/** Parses the With Options header line, `Name: value; Other: value`; a part without a name is an error. */
export function parseHeaderLine(text: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  for (const part of text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf(':');
    const name = i > 0 ? part.slice(0, i).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return { error: `"${part}" is not Name: value` };
    headers[name] = part.slice(i + 1).trim();
  }
  return { headers };
}
