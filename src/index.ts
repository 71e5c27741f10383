/**
 * Faultline's public API (`import ... from 'faultline'`). Write a node against `NodeCtx` /
 * `NodeHandlers`, describe it with `defineProtocol`, judge it with history checkers, `always`
 * and `eventually`, and run it with `runScenario` (or the CLI and `faultline/vitest`).
 * The simulator's internals are not API.
 */
// Writing a node.
export type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId, StartKind, Storage, TimerId } from './node/api.ts';
export { CallTimeoutError } from './node/api.ts';
// Describing a protocol and a project.
export { defineProtocol, defineConfig, type ProtocolSpec } from './run/define.ts';
export type { ProtocolDef, VariantDef, CheckingObserver, ByzantineSpec, ChurnSpec } from './run/protocol.ts';
export { byzantineFOf, churnBoundsOf } from './run/protocol.ts';
export type { ChurnBounds } from './faults/churn.ts';
export type { FaultlineConfig } from './run/load.ts';
export type { PlannedOp, Workload, OpRequest } from './workload/workload.ts';
export type { Rng } from './kernel/rng.ts';
// Judging it.
export type { HistoryCheckerSpec, CheckerResult, Verdict } from '../checkers/index.ts';
export { always, type AlwaysChecker, type EventAt, type PredicateResult } from '../checkers/invariant.ts';
export { eventually, type EventuallyChecker } from '../checkers/liveness.ts';
export type { Observer, WorldView, NodeView } from './sim/simulator.ts';
export { getModel, modelNames, type Model } from '../models/index.ts';
export type { History, HistoryOp, OpType } from './history/types.ts';
// Running it.
export { runScenario, checkDeterminism, type RunResult, type RunSettings, type Status } from './run/run.ts';
// The README's fast-check recipe hands a counterexample's RunInput to shrink.
export { shrink, type ShrinkResult, type ShrinkSettings } from './shrink/shrink.ts';
export { shrinkAndSave, type Counterexample, type CounterexampleSettings } from './shrink/counterexample.ts';
export type { EntryModule } from './corpus/corpus.ts';
export { resolveOptions, defaultScenario, ScenarioError, type RunInput, type ScenarioOptions } from './run/scenario.ts';
export type { SimResult, SimStats, RunOutcome } from './sim/simulator.ts';
export type { TraceEvent, TraceKind, Envelope } from './sim/trace.ts';
export type { PendingContinuation } from './sim/simulator.ts';
export { nemesisNames, type Fault, type NemesisName } from './faults/index.ts';
export { allNemesisNames, byzantineNemesisNames, byzantineNodes, defaultByzantineF } from './faults/index.ts';
export { mutateJson, type Mutator, type MutationInfo } from './faults/mutate.ts';
// Reports (HTML) of a run or a corpus entry.
export { buildReportData, type ReportData, type ReportSource } from './report/data.ts';
export { renderReportHtml, writeReport } from './report/html.ts';
export { loadReportSource, sourceFromRun } from './report/source.ts';
