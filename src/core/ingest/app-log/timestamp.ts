// App-log times to exact Unix nanoseconds. Date.parse drops everything below a millisecond, so the fraction is
// read by hand (the sandbox apps log microseconds).

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseLogTime(value: string): bigint | undefined {
  const v = value.trim();
  const m = ISO.exec(v);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
    let ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const zone = m[8];
    if (zone && zone !== 'Z' && zone !== 'z') {
      const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
      ms -= (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3] ?? 0)) * 60_000;
    }
    if (!Number.isFinite(ms)) return undefined;
    return BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
  }
  // Epoch numbers: the magnitude tells seconds, milliseconds, microseconds or nanoseconds.
  const e = /^(\d{1,19})(?:\.(\d{1,9}))?$/.exec(v);
  if (!e) return undefined;
  const int = BigInt(e[1]);
  const frac = e[2] ?? '';
  if (int < 100_000_000_000n) return int * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
  if (int < 100_000_000_000_000n) return int * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
  if (int < 100_000_000_000_000_000n) return int * 1_000n + BigInt(frac.padEnd(3, '0').slice(0, 3));
  return int;
}
