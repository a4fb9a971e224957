// CPU time of this process, in milliseconds. Tests that guard against runaway work (catastrophic regex backtracking,
// quadratic loops) bound CPU time rather than wall time, so a busy machine cannot fail them; speed itself is measured
// in bench/, never asserted.
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
