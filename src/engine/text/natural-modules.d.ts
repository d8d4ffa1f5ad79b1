/**
 * Types for the two files of `natural` the engine loads directly. The package root (`import 'natural'`) loads every
 * classifier and storage backend: ~440 ms, ~64 MB of heap, and its storage modules run `dotenv.config()`, which reads
 * `.env` from the working directory into the environment. The stemmer file alone loads in ~7 ms and does no I/O.
 */
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  import type { Stemmer } from 'natural/lib/natural/stemmers/index.js';
  const PorterStemmer: Stemmer;
  export = PorterStemmer;
}

declare module 'natural/lib/natural/util/stopwords.js' {
  /** natural's English stop words. The array is shared and mutable inside natural: copy it, never change it. */
  const stopwords: { readonly words: readonly string[] };
  export = stopwords;
}
