// Buffered stdout/file writing for big outputs: fewer syscalls, and a closed pipe (`| head`) ends quietly.
// Every string is made terminalSafe (it may come from a trace file); writeStyled keeps Kubetrace's own colours.
import { closeSync, openSync, writeSync } from 'node:fs';
import { styledSafe, terminalSafe } from './terminal';

export interface Output {
  write(s: string): void;
  writeStyled(s: string): void;
  flush(): void;
  close(): void;
}

const LIMIT = 1 << 16;

export function createOutput(target: { fd: number } | string): Output {
  const fd = typeof target === 'string' ? openSync(target, 'w') : target.fd;
  let buf: string[] = [];
  let size = 0;
  let closed = false;
  const flush = () => {
    if (!size || closed) {
      buf = [];
      size = 0;
      return;
    }
    const data = Buffer.from(buf.join(''), 'utf8');
    buf = [];
    size = 0;
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
    flush,
    close() {
      flush();
      if (typeof target === 'string') closeSync(fd);
    },
  };
}
