// Buffered stdout/file writing for big outputs: fewer syscalls, and a closed pipe (`| head`) ends quietly.
// Every string is made terminalSafe (it may come from a trace file); writeStyled keeps Kubetrace's own colours.
// `import --json` hands over bytes that src/cli/json-bytes.ts made terminal-safe as it wrote them (writeBytes).
import { closeSync, openSync, writeSync } from 'node:fs';
import { styledSafe, terminalSafe } from './terminal';

export interface Output {
  write(s: string): void;
  writeStyled(s: string): void;
  /** Bytes already terminal-safe (json-bytes.ts), written at once after what is pending; not kept after return. */
  writeBytes(b: Uint8Array): void;
  flush(): void;
  close(): void;
}

// Big chunks (256 K characters): each is one Buffer conversion, one check and one write.
const LIMIT = 1 << 18;
// A chunk is flushed once it reaches LIMIT, so it is usually a little longer; a longer one gets its own Buffer.
const SCRATCH_UNITS = 2 * LIMIT;

export function createOutput(target: { fd: number } | string): Output {
  const fd = typeof target === 'string' ? openSync(target, 'w') : target.fd;
  let buf: string[] = [];
  let size = 0;
  let closed = false;
  // One buffer for every chunk (UTF-8 takes at most 3 bytes per UTF-16 unit): a new one each time cost system time
  // and peak memory on a 1.7 GB `import --json`.
  let scratch: Buffer | undefined;
  const flush = () => {
    if (!size || closed) {
      buf = [];
      size = 0;
      return;
    }
    const text = buf.join('');
    let data: Buffer;
    if (text.length <= SCRATCH_UNITS) {
      scratch ??= Buffer.allocUnsafe(3 * SCRATCH_UNITS);
      data = scratch.subarray(0, scratch.write(text, 0, 'utf8'));
    } else data = Buffer.from(text, 'utf8');
    buf = [];
    size = 0;
    send(data);
  };
  const send = (data: Uint8Array) => {
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(fd, data, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') {
          closed = true;
          process.exit(0);
        }
        throw e;
      }
    }
  };
  const add = (s: string) => {
    buf.push(s);
    size += s.length;
    if (size >= LIMIT) flush();
  };
  return {
    write: (s) => add(terminalSafe(s)),
    writeStyled: (s) => add(styledSafe(s)),
    writeBytes: (b) => {
      flush();
      if (!closed) send(b);
    },
    flush,
    close() {
      flush();
      if (typeof target === 'string') closeSync(fd);
    },
  };
}
