// A small argv parser: flags are declared, so an unknown flag is a usage error, not a silent typo.
import { UsageError } from '../core/errors';

export interface FlagSpec {
  [name: string]: { type: 'string' | 'boolean' | 'list'; short?: string };
}
export interface Parsed {
  positional: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const flags: Parsed['flags'] = {};
  const positional: string[] = [];
  const byShort = new Map(
    Object.entries(spec)
      .filter(([, s]) => s.short)
      .map(([n, s]) => [s.short as string, n]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
      continue;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (s.type === 'boolean') {
      flags[name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    if (s.type === 'list') flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else flags[name] = value;
  }
  return { positional, flags };
}

export const str = (p: Parsed, n: string): string | undefined => p.flags[n] as string | undefined;
export const bool = (p: Parsed, n: string): boolean => p.flags[n] === true;
export const list = (p: Parsed, n: string): string[] => (p.flags[n] as string[] | undefined) ?? [];
export function int(p: Parsed, n: string): number | undefined {
  const v = str(p, n);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${n} takes a whole number, not "${v}"`);
  return Number(v);
}
