// The process's memory budget (docs/architecture.md, "Memory budget"): caches fill up to their
// bounds and stay there; nothing is allocated up front. The V8 heap limit is package.json's start
// script's --max-old-space-size, which Node applies to every thread (it overrides a Worker's
// resourceLimits), so it is not set per thread here.

/** Page cache of a thread's connection that follows the event log (projector, ledger keeper). */
export const FOLLOWER_PAGE_CACHE_MIB = 16;
