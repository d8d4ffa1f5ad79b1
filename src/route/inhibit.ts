import type { LabelSet } from '../model/index.js';
import { labelValue, matchesAll, type Matcher } from './matchers.js';

/**
 * One parsed `inhibit_rules` entry: while a firing set matches `sourceMatchers`, sets matching `targetMatchers`
 * with the same values for every `equal` label are muted. Empty matcher lists match everything, as in Alertmanager.
 */
export interface InhibitRule {
  /** Alertmanager's optional rule name, for messages and the API. */
  readonly name?: string;
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  /** Label names whose values must be equal in source and target; a label missing on both sides is equal (""). */
  readonly equal: readonly string[];
}

/**
 * Decides inhibition as Alertmanager's inhibit.Inhibitor does, over the caller's firing sources instead of an
 * alert cache: pure, so a replay decides the same. One of the two Muters, with the Silencer.
 */
export class Inhibitor {
  readonly rules: readonly InhibitRule[];

  constructor(rules: readonly InhibitRule[]) {
    this.rules = Object.freeze([...rules]);
  }

  /**
   * The index of the first rule that inhibits `target`, or null. `firingSources` are the label sets currently
   * firing (resolved ones left out by the caller). When the target matches a rule's source side too, sources
   * that also match its target side are disregarded (Alertmanager's `excludeTwoSidedMatch`), so a set that
   * matches both sides never inhibits itself or its peers.
   */
  isInhibited(target: LabelSet, firingSources: readonly LabelSet[]): number | null {
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i] as InhibitRule;
      if (!matchesAll(r.targetMatchers, target)) continue;
      const excludeTwoSided = matchesAll(r.sourceMatchers, target);
      for (const source of firingSources) {
        if (!matchesAll(r.sourceMatchers, source)) continue;
        if (!r.equal.every((n) => labelValue(source, n) === labelValue(target, n))) continue;
        if (excludeTwoSided && matchesAll(r.targetMatchers, source)) continue;
        return i;
      }
    }
    return null;
  }
}
