// `dalbench/conformance`: the contract suites, as functions a user calls from their own vitest file
// with their own adapter (as abstract-level ships its suite for implementers). Each registers
// vitest `describe`/`it` blocks, so it must be called at the top level of a test file; the caller's
// project provides vitest and fast-check.
export { timeSeriesContract, type TimeSeriesSubject } from './harness/conformance/time-series.contract.ts';
export { documentsContract, type DocumentSubject } from './harness/conformance/documents.contract.ts';
export { objectsContract, type ObjectSubject } from './harness/conformance/objects.contract.ts';
export { cacheContract, type CacheContractTarget } from './harness/conformance/cache.contract.ts';
export { metadataContract, type MetadataSubject } from './harness/conformance/metadata.contract.ts';
