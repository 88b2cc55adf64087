// The transparency log over the events (docs/auditing.md): canonical leaves, the RFC 9162 tree
// and its proofs, signed tree heads, the store that keeps them, the keeper and the verifiers.
export * from './merkle/hashing';
export * from './merkle/frontier';
export * from './merkle/proofs';
export * from './merkle/subtree-source';
export * from './merkle/memory-subtrees';
export * from './leaf/leaf';
export * from './leaf/stored-events';
export * from './heads/tree-head';
export * from './heads/signing-key';
export * from './heads/head-signer';
export * from './store/ledger-store.port';
export * from './store/sqlite-ledger-store';
export * from './keeper/log-batch';
export * from './keeper/log-batches';
export * from './keeper/ledger-keeper';
export * from './service/ledger-errors';
export * from './service/ledger-service';
export * from './merkle/verification';
export * from './audit/export-format';
export * from './audit/export-ledger';
export * from './audit/verify-export';
export * from './audit/verify-live';
