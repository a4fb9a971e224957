/*
 * HAProxy source mapping (docs/ARCHITECTURE.md "HAProxy source"): the spans made from HAProxy's access log open the
 * HAProxy function of their phase, found by scanning the source of the detected version (never a fixed line).
 *
 *   HAPROXY_PHASE_INDEX, haproxyPhase(name), allHaproxyFunctions(), haproxyIndexCovers(version)
 *   scanFunctions(text): Map<name, { name, line, endLine? }>       // never throws
 *   findHaproxySourceTree(candidates, wantVersion?), haproxyVersionFromV(`haproxy -v` output)
 *   haproxySourceForSpan(span, tree?, missingReason?, wantVersion?): { source?, moreSources?, sourceReason? }
 *   HAPROXY_PINS: the Debian orig tarballs the index is checked against (scripts/fetch-haproxy-source.sh)
 */
export {
  HAPROXY_PHASE_INDEX,
  HAPROXY_INDEX_VERSIONS,
  haproxyPhase,
  allHaproxyFunctions,
  haproxyIndexCovers,
  type HaproxyFn,
  type HaproxyPhase,
} from './phases';
export { scanFunctions, type HaproxyFunction } from './scan';
export {
  findHaproxySourceTree,
  haproxyFunction,
  haproxyTreeVersion,
  haproxyVersionFromV,
  isHaproxySourceTree,
  forgetHaproxyScans,
  type HaproxySourceTree,
} from './tree';
export { haproxySourceForSpan, HAPROXY_REF_KIND, type HaproxySpanSource } from './span';
export { HAPROXY_PINS, type HaproxyPin } from './checksums';
