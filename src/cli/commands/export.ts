// `kubetrace export FILE --format otlp|jaeger [-o OUT]`: Kubetrace Trace JSON (probe/import --json) to OTLP or Jaeger JSON.
import { rename, unlink } from 'node:fs/promises';
import { parseArgs, str } from '../args';
import { KubetraceError, UsageError } from '../../core/errors';
import { EXPORT_FORMATS, ExportWriter, type ExportFormat } from '../../core/io/export';
import { openImport } from '../../core/io/import';
import { createOutput } from '../output';

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { format: { type: 'string' }, output: { type: 'string', short: 'o' } });
  if (p.positional.length !== 1)
    throw new UsageError(
      p.positional.length ? 'export takes one file' : 'export needs a file',
      'kubetrace export FILE --format otlp|jaeger [-o OUT]',
    );
  const format = str(p, 'format');
  if (!format) throw new UsageError('export needs --format', `use --format ${EXPORT_FORMATS.join(' or --format ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`unknown export format "${format}"`, `use one of ${EXPORT_FORMATS.join(', ')}`);
  const file = p.positional[0];
  const target = str(p, 'output');
  const opened = await openImport(file);
  if (opened.format !== 'kubetrace')
    process.stderr.write(
      `note: ${file} is not Kubetrace Trace JSON but ${opened.format} (${opened.why}); converting it\n`,
    );
  // Write to a temporary name and rename at the end, so a failed export never leaves half a file under OUT.
  const tmp = target ? `${target}.kubetrace-tmp-${process.pid}` : undefined;
  const out = createOutput(tmp ?? process.stdout);
  const writer = new ExportWriter(format as ExportFormat, (s) => out.write(s));
  let traces = 0;
  let spans = 0;
  let failure: string | undefined;
  try {
    for await (const item of opened.items) {
      if ('trace' in item) {
        writer.add(item.trace);
        traces++;
        spans += item.trace.spans.length;
      } else if ('lineNumber' in item) process.stderr.write(`warning: line ${item.lineNumber}: ${item.error}\n`);
      else if (!('diagnostic' in item)) continue;
      else if (item.diagnostic.severity === 'error') failure ??= item.diagnostic.message;
      else process.stderr.write(`${item.diagnostic.severity}: ${item.diagnostic.message}\n`);
    }
    writer.end();
    out.close();
  } catch (e) {
    if (tmp) await unlink(tmp).catch(() => {});
    throw e;
  }
  if (failure || !traces) {
    if (tmp) await unlink(tmp).catch(() => {});
    throw new KubetraceError(
      failure ?? `${file} holds no trace`,
      'export reads the JSON that `kubetrace probe --json` or `kubetrace import --json` prints',
    );
  }
  if (tmp && target) {
    await rename(tmp, target);
    process.stderr.write(
      `wrote ${traces} trace${traces === 1 ? '' : 's'} (${spans} spans) as ${format === 'otlp' ? 'OTLP' : 'Jaeger'} JSON to ${target}\n`,
    );
  }
  return 0;
}
