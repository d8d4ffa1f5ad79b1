import { Type } from '@sinclair/typebox';

/** A Prometheus duration string in config (`30s`, `5m`, `1h30m`); config keeps Prometheus strings, code keeps ms. */
export const DurationString = Type.String({
  pattern: '^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$',
  minLength: 1,
  expected: 'a duration like 30s',
});
