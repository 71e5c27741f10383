import fc from 'fast-check';

// Property tests draw from a fixed seed so every CI run checks the same cases (a flaky test is a
// bug here). Set FC_SEED to explore other cases locally; a failure prints its seed and path.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261121) });
