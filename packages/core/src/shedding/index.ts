export { Shedder, SHEDDING_DEFAULTS, type SheddingOptions, type ResolvedSheddingOptions } from './shedder';
