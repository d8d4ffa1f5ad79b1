/** Text similarity for correlation: alert and ticket text, terms, incremental TF-IDF and cosine. Pure. */
export { tokenize, Tokenizer, MAX_TEXT_CHARS, DEFAULT_STEM_CACHE_SIZE } from './tokenize.js';
export { alertText, ticketText } from './alert-text.js';
export { TextIndex, Centroid, cosine, DEFAULT_MAX_TERMS } from './tfidf.js';
export type { SparseVector, DocumentFrequencies, TextIndexOptions, TextIndexJSON, CentroidJSON } from './tfidf.js';
