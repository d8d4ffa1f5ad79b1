/**
 * Routing with Alertmanager's semantics, applied to incidents: matchers, the route tree, time intervals,
 * inhibition, silences and the `routing.yaml` loader. Pure and deterministic: instants are passed in.
 */
export {
  Matcher,
  CLASSIC_LABEL_NAME,
  formatMatchers,
  labelValue,
  matchersFromMaps,
  matchesAll,
  parseMatcher,
  parseMatchers,
  sortMatchers,
  tryParseMatchers,
  type ErrorKind,
  type MatchType,
  type MatcherSyntaxError,
} from './matchers.js';
export {
  TimeInterval,
  TimeIntervalSchema,
  isActive,
  timeMute,
  type InclusiveRange,
  type TimeIntervalSpec,
  type TimeIntervals,
  type TimeMute,
  type TimeRange,
} from './time-intervals.js';
export { ROUTE_DEFAULTS, RouteTree, type MatchedRoute, type RouteDescription, type RouteSpec } from './route-tree.js';
export { Inhibitor, type InhibitRule } from './inhibit.js';
export {
  Silencer,
  SilenceSpecSchema,
  SilencesSnapshotSchema,
  silenceState,
  type ListedSilence,
  type Silence,
  type SilenceMatcher,
  type SilenceSpec,
  type SilenceState,
  type SilencesSnapshot,
} from './silences.js';
export {
  RouteSchema,
  RoutingFileSchema,
  parseRoute,
  parseRoutingConfig,
  type ParseIntegration,
  type ReceiverIntegration,
  type RouteFile,
  type RoutingConfig,
  type RoutingFile,
} from './routing-config.js';
