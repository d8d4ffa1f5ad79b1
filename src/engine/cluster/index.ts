/** k-means alert clusters: hashed feature vectors and a trained model (models/kmeans.json). Pure. */
export { alertFeatures, fnv1a32, DEFAULT_FEATURE_DIMS } from './alert-features.js';
export { parseKmeansModel, assignCluster, toKmeansModelJson, MODEL_DECIMALS } from './kmeans-model.js';
export type { KmeansModel } from './kmeans-model.js';
