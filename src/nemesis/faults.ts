/** Moved to `src/faults/` (one file per fault kind); this re-export keeps branches in flight compiling. */
export * from '../faults/index.ts';
