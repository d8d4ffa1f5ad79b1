import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import naturalStopwords from 'natural/lib/natural/util/stopwords.js';

/**
 * Words natural lists as English stop words that carry meaning in alerts ("target up", "timed out",
 * "over budget", "under-replicated"); they are kept.
 */
const ALERT_WORDS: ReadonlySet<string> = new Set(['up', 'out', 'over', 'under']);

/** natural's English stop words minus {@link ALERT_WORDS}. A private copy: natural's own array is mutable. */
const STOP_WORDS: ReadonlySet<string> = new Set(naturalStopwords.words.filter((w) => !ALERT_WORDS.has(w)));

/** Only this much of a text is read: a pasted log in a description must not make one alert cost milliseconds. */
export const MAX_TEXT_CHARS = 8192;

/** An RFC 4122-shaped UUID anywhere in the text. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The generated suffixes of a pod name, in Kubernetes' SafeEncodeString alphabet (no vowels, no 0 1 3): a
 * Deployment's pod has the ReplicaSet's pod-template-hash and its own 5 characters (`checkout-7d9f8b6c5d-x2x7q`), a
 * DaemonSet's only the 5 (`node-exporter-wwhds`). Matched as the end of a kebab-case name because a suffix may hold
 * no digit; no English word is 5 letters without a vowel or `y`.
 */
const POD_SUFFIXES = /(?<=[a-z0-9])(?:-[bcdfghjklmnpqrstvwxz2456789]{6,10})?-[bcdfghjklmnpqrstvwxz2456789]{5}(?![A-Za-z0-9-])/g;

/** A generated suffix standing alone (`x2x7q`, `7d9f8b6c5d`); needs a digit to count, as `http` would match too. */
const POD_HASH = /^[bcdfghjklmnpqrstvwxz2456789]{5,10}$/;
/** Hex with a digit, 6 or more long: commit and container ids, trace ids. Shorter, it is `db01` or `ec2`. */
const HEX_ID = /^[0-9a-f]{6,}$/i;
const HAS_DIGIT = /[0-9]/;
const HAS_LETTER = /\p{L}/u;
const DIGITS = /^[0-9]+$/;
/** Mixed letters and digits this long are ids (request ids, tokens, base64), never words. */
const MIN_OPAQUE_ID = 16;

/** Separates pieces: anything that is neither a letter nor a digit (space, `_`, `-`, `.`, `/`, `:`, …). */
const SEPARATORS = /[^\p{L}\p{N}]+/u;
/**
 * Words inside a piece: an acronym not followed by lowercase (`CPU` in `CPUThrottlingHigh`), a capitalised or
 * lowercase word (`Throttling`, `high`), else any run of letters (scripts without case). Digits separate words.
 */
const WORDS = /\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{L}+/gu;

/**
 * Splits an alert's or ticket's text into stemmed terms for similarity: lowercased, camelCase/PascalCase,
 * snake_case and kebab-case split (`KubePodCrashLooping` → kube, pod, crash, loop), English stop words dropped,
 * Porter-stemmed (natural's PorterStemmer). Numbers, hex ids, UUIDs, pod-name hashes and long opaque ids are
 * dropped: they make every alert's text unique and say nothing about what is wrong.
 *
 * Pure and deterministic: the same text always gives the same terms, in text order, repeats kept (term frequency).
 * Reads at most {@link MAX_TEXT_CHARS} characters. Stemming is ~90 % of its cost: on a hot path use a
 * {@link Tokenizer}, which gives the same terms with a cache of stems.
 */
export function tokenize(text: string): string[] {
  return tokenizeWith(text, stem);
}

/** Default number of words a {@link Tokenizer} keeps stems for. */
export const DEFAULT_STEM_CACHE_SIZE = 10_000;

/**
 * {@link tokenize} with a cache of stems: natural's Porter stemmer takes ~2 µs a word, a cache hit ~0.05 µs, and
 * alert texts reuse a small vocabulary. The output never depends on the cache, so the cache is not state to
 * snapshot. Memory is bounded: when full, the cache is emptied and refilled.
 */
export class Tokenizer {
  readonly #stems = new Map<string, string>();
  readonly #cacheSize: number;
  readonly #stem = (word: string): string => {
    let s = this.#stems.get(word);
    if (s === undefined) {
      if (this.#stems.size >= this.#cacheSize) this.#stems.clear();
      s = stem(word);
      this.#stems.set(word, s);
    }
    return s;
  };

  constructor(options: { readonly cacheSize?: number } = {}) {
    this.#cacheSize = options.cacheSize ?? DEFAULT_STEM_CACHE_SIZE;
  }

  /** The same terms as {@link tokenize}. */
  tokenize(text: string): string[] {
    return tokenizeWith(text, this.#stem);
  }
}

function stem(word: string): string {
  return PorterStemmer.stem(word);
}

function tokenizeWith(text: string, stemWord: (word: string) => string): string[] {
  const head = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  const cleaned = head.replace(UUID, ' ').replace(POD_SUFFIXES, ' ');
  const out: string[] = [];
  for (const piece of cleaned.split(SEPARATORS)) {
    if (piece === '' || isOpaqueId(piece)) continue;
    for (const word of piece.match(WORDS) ?? []) {
      const w = word.toLowerCase();
      if (w.length < 2 || STOP_WORDS.has(w)) continue;
      out.push(stemWord(w));
    }
  }
  return out;
}

/** True for a piece that identifies one thing rather than naming a kind of thing. */
function isOpaqueId(piece: string): boolean {
  if (!HAS_DIGIT.test(piece)) return false; // a piece without digits is a word (also `cafe`, `deadbeef`)
  if (DIGITS.test(piece)) return true;
  if (HEX_ID.test(piece)) return true;
  if (POD_HASH.test(piece)) return true;
  return piece.length >= MIN_OPAQUE_ID && HAS_LETTER.test(piece);
}
