// Debug lines that third-party modules write, which nginx core's ngx_log_debug formats cannot
// match. ingress-nginx runs lua-nginx-module (rewrite, balancer, header/body filter and log
// hooks) and its own Lua code logs through ngx.log, whose lines start with `[lua] file.lua:N:`.
// Such lines go to a `lua` group of the execution path, with the module named, instead of being
// reported as unmatched (which would also look like a version mismatch).

const LUA = new RegExp(
  '^(\\[lua\\] |lua[ _]|http lua |stream lua |ngx_lua |looking up Lua code cache|code cache (?:lookup|miss|hit)|' +
    'add lua code cache|ngx\\.(?:ctx|var|req|resp|timer|thread|socket)\\b)',
);

export interface ModuleLine {
  /** The execution-path group: `lua`. */
  phase: 'lua';
  /**
   * The module that wrote the line, e.g. `lua-nginx-module`, or `lua-nginx-module: balancer.lua` for
   * ngx.log lines (or the inline block, `balancer_by_lua(nginx.conf:15)`).
   */
  module: string;
}

/** The third-party module a debug message comes from, or undefined for nginx core's own lines. */
export function moduleLine(message: string): ModuleLine | undefined {
  if (!LUA.test(message)) return undefined;
  const script = /^\[lua\] ([^\s:()]+\.lua|\w+_by_lua\([^)]*\)):\d+:/.exec(message)?.[1];
  return { phase: 'lua', module: script ? `lua-nginx-module: ${script}` : 'lua-nginx-module' };
}
