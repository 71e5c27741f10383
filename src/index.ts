/**
 * Faultline's public API. Protocol authors need `NodeCtx` / `NodeHandlers` (write a node),
 * `ProtocolDef` (describe it) and `runScenario` / `resolveOptions` (run it).
 */
export type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId, Storage, TimerId } from './node/api.ts';
export { CallTimeoutError } from './node/api.ts';
export type { ProtocolDef, VariantDef, CheckingObserver } from './run/protocol.ts';
export { runScenario, checkDeterminism, type RunResult, type RunSettings, type Status } from './run/run.ts';
export { resolveOptions, defaultScenario, ScenarioError, type RunInput, type ScenarioOptions } from './run/scenario.ts';
export { Simulator, type SimConfig, type SimResult, type WorldView, type NodeView, type Observer } from './sim/simulator.ts';
export type { TraceEvent } from './sim/trace.ts';
export type { Fault, NemesisName } from './faults/index.ts';
export { nemesisNames, parseNemesis, describeFault } from './faults/index.ts';
export type { PlannedOp, Workload, OpRequest } from './workload/workload.ts';
export type { History, HistoryOp, OpType } from './history/types.ts';
export { always } from '../checkers/invariant.ts';
export { eventually, pendingOpsComplete } from '../checkers/liveness.ts';
export { checkLinearizability } from '../checkers/linearizability.ts';
export { getModel, modelNames, type Model } from '../models/index.ts';
export { getProtocol, protocols } from '../protocols/index.ts';
export { buildReportData, type ReportData, type ReportSource } from './report/data.ts';
export { renderReportHtml, writeReport } from './report/html.ts';
export { loadReportSource, sourceFromRun } from './report/source.ts';
