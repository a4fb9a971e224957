// Stack-trace parsing for Node, Python, Java and Go, innermost frame first. Never throws: lines that are not frames
// (messages, "Caused by:", Python's code echo and ^^^ markers) are passed over.
import { fileURLToPath } from 'node:url';

export type StackLang = 'node' | 'python' | 'java' | 'go';
export interface Frame {
  lang: StackLang;
  file: string; // as printed (container path, file:// URL decoded); for Java, "com/x/Foo.java" built from the class
  line?: number;
  column?: number;
  function?: string;
  library: boolean; // runtime or third-party code: not what the user wants to open
}

const MAX_STACK_CHARS = 256 * 1024;
const MAX_FRAMES = 500;

const NODE_PAREN = /^\s*at\s+(?:async\s+)?(.*?)\s+\((.*)\)\s*$/;
const NODE_BARE = /^\s*at\s+(?:async\s+)?(\S.*?:\d+(?::\d+)?)\s*$/;
const NODE_LOC = /^(.*?):(\d+)(?::(\d+))?$/;
const JAVA = /^\s*at\s+(?:[\w.$-]*(?:@[\w.-]+)?\/)*([\w$.<>]+)\.([\w$<>-]+)\(([^()]*)\)\s*(?:~?\[.*\])?\s*$/;
const PY = /^\s*File "(.+)", line (\d+)(?:, in (.+?))?\s*$/;
const GO_FILE = /^\s+(\/?\S.*\.go):(\d+)(?:\s+\+0x[0-9a-fA-F]+)?\s*$/;

/** Frames in call order innermost first (Python's outermost-first tracebacks are reversed per traceback). */
export function parseStack(text: unknown): Frame[] {
  if (typeof text !== 'string' || !text) return [];
  const lines = text.slice(0, MAX_STACK_CHARS).split(/\r?\n/);
  const out: Frame[] = [];
  let pyBlock: Frame[] = [];
  const flushPy = () => {
    if (pyBlock.length) {
      out.push(...pyBlock.reverse());
      pyBlock = [];
    }
  };
  for (let i = 0; i < lines.length && out.length + pyBlock.length < MAX_FRAMES; i++) {
    const line = lines[i];
    if (line.length > 4000) continue;
    let m = PY.exec(line);
    if (m) {
      const f: Frame = { lang: 'python', file: m[1], line: toInt(m[2]), library: false };
      if (m[3]) f.function = m[3];
      f.library = isLibraryFile('python', f.file);
      pyBlock.push(f);
      continue;
    }
    if (/^Traceback \(most recent call last\)/.test(line)) {
      flushPy();
      continue;
    }
    m = JAVA.exec(line);
    if (m && !/\s/.test(m[1])) {
      pushJava(out, m[1], m[2], m[3]);
      continue;
    }
    m = NODE_PAREN.exec(line);
    if (m) {
      pushNode(out, m[1], m[2]);
      continue;
    }
    m = NODE_BARE.exec(line);
    if (m) {
      pushNode(out, undefined, m[1]);
      continue;
    }
    m = GO_FILE.exec(line);
    if (m) {
      const prev = i > 0 ? lines[i - 1] : '';
      const f: Frame = { lang: 'go', file: m[1], line: toInt(m[2]), library: false };
      const fn = goFunction(prev);
      if (fn) f.function = fn;
      f.library =
        isLibraryFile('go', f.file) ||
        (!!fn && /^(runtime|net\/http|reflect|testing|syscall|internal\/)/.test(fn) && !f.file.includes('/app/'));
      out.push(f);
    }
  }
  flushPy();
  return out;
}

function pushNode(out: Frame[], fn: string | undefined, locText: string): void {
  let loc = locText.trim();
  // eval frames: "eval at handler (/app/x.js:3:9), <anonymous>:1:1" — the file that called eval is the useful place.
  if (loc.includes('eval at')) {
    const inner = /\(([^()]+:\d+:\d+)\)/.exec(loc);
    if (!inner) return;
    loc = inner[1];
    fn = /eval at ([^\s(]+)/.exec(locText)?.[1];
  }
  const m = NODE_LOC.exec(loc);
  if (!m) return;
  const file = nodeFile(m[1]);
  if (!file) return;
  const f: Frame = { lang: 'node', file, line: toInt(m[2]), library: false };
  const col = toInt(m[3]);
  if (col !== undefined) f.column = col;
  if (fn && fn !== '<anonymous>') f.function = fn.replace(/^new\s+/, '').replace(/\s*\[as [^\]]+\]$/, '');
  f.library = isLibraryFile('node', file);
  out.push(f);
}

function nodeFile(raw: string): string | null {
  let p = raw.trim();
  if (!p) return null;
  if (p.startsWith('file://')) {
    try {
      p = fileURLToPath(p.replace(/[?#].*$/, ''));
    } catch {
      return null;
    }
  } else if (/^webpack:\/\/\/?/.test(p)) {
    p = p.replace(/^webpack:\/\/\/?(?:[^/]*\/)?\.?\/?/, '');
  }
  return p;
}

function pushJava(out: Frame[], cls: string, method: string, where: string): void {
  const m = /^(.+\.(?:java|kt|kts|scala|groovy|clj)):(\d+)$/.exec(where.trim());
  const outer = cls.split('$')[0];
  const dot = outer.lastIndexOf('.');
  const pkgDir = dot > 0 ? outer.slice(0, dot).replace(/\./g, '/') + '/' : '';
  const fileName = m ? m[1] : `${outer.slice(dot + 1)}.java`;
  const f: Frame = { lang: 'java', file: pkgDir + fileName, function: `${cls}.${method}`, library: false };
  if (m) f.line = toInt(m[2]);
  f.library = !m || isLibraryJavaClass(cls);
  out.push(f);
}

function goFunction(prev: string): string | undefined {
  const t = prev
    .trim()
    .replace(/^created by\s+/, '')
    .replace(/\s+in goroutine \d+$/, '');
  if (!t || t.startsWith('goroutine ') || t.startsWith('panic:')) return undefined;
  // "main.(*Server).handle(0xc000, {0x1, 0x2})" -> "main.(*Server).handle"
  const m = /^(.+?)(?:\((?:[^()]|\([^()]*\))*\))?$/.exec(t);
  return m ? m[1] : undefined;
}

const JAVA_LIB_PACKAGES = [
  'java',
  'javax',
  'jakarta',
  'jdk',
  'sun',
  'com.sun',
  'kotlin',
  'kotlinx',
  'scala',
  'groovy',
  'org.springframework',
  'org.apache',
  'org.eclipse',
  'org.hibernate',
  'org.junit',
  'io.netty',
  'io.undertow',
  'io.micrometer',
  'io.opentelemetry',
  'io.grpc',
  'reactor',
  'com.fasterxml',
  'com.google',
  'net.bytebuddy',
  'ch.qos',
  'org.slf4j',
];
const JAVA_LIB = new RegExp(`^(${JAVA_LIB_PACKAGES.map((p) => p.replace(/\./g, '\\.')).join('|')})\\.`);
export const isLibraryJavaClass = (cls: string): boolean => JAVA_LIB.test(cls);

/** Runtime and third-party files, per language; what is left is taken to be the app. */
export function isLibraryFile(lang: StackLang, file: string): boolean {
  const f = file.replace(/\\/g, '/');
  switch (lang) {
    case 'node':
      return (
        /(^|\/)node_modules\//.test(f) ||
        /^(node:|internal\/|native$|<anonymous>|\[eval\])/.test(f) ||
        f.startsWith('/usr/lib/node')
      );
    case 'python':
      return (
        /(^|\/)(site-packages|dist-packages)\//.test(f) ||
        /(^|\/)lib\/python\d(\.\d+)?\//.test(f) ||
        /^<(frozen |string|stdin)/.test(f)
      );
    case 'go':
      return (
        f.startsWith('/usr/local/go/src/') ||
        f.startsWith('/usr/lib/go') ||
        /\/pkg\/mod\//.test(f) ||
        /^(\$GOROOT|GOROOT)\//.test(f) ||
        /\/go\/src\/(runtime|net|internal|reflect|syscall)\//.test(f)
      );
    case 'java':
      return false;
  }
}

function toInt(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
