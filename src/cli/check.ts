/**
 * `faultline check <file>...`: checks recorded histories for linearizability against a model.
 * One line per file (`<file>\t<verdict>\t<ms>`), then the counterexample of each illegal file.
 */
import { readFile } from 'node:fs/promises';
import { commandHelp, parseFlags } from './flags.ts';
import { checkLinearizability, type CheckBudget, type LinearizabilityResult, type PartitionCounterexample } from '../../checkers/linearizability.ts';
import { HistoryError } from '../../checkers/history-error.ts';
import { historyFormats, readHistory, type HistoryFormat } from '../../checkers/formats/index.ts';
import { getModel, modelNames } from '../../models/index.ts';
import { checkTransactional, consistencyModels, explainAnomalies, type TransactionalDetails, type TxnWorkload } from '../../checkers/transactional/index.ts';

const TXN_WORKLOADS: TxnWorkload[] = ['list-append', 'rw-register'];

interface FileReport {
  file: string;
  format?: HistoryFormat;
  model?: string;
  verdict?: 'ok' | 'illegal' | 'unknown';
  ms: number;
  summary?: string;
  budget?: CheckBudget;
  counterexamples?: PartitionCounterexample[];
  error?: string;
  /** For --txn: the anomalies and what the inference cannot see. */
  transactional?: TransactionalDetails;
  exitCode: number;
}

const RANK: Record<number, number> = { 0: 0, 3: 1, 1: 2, 2: 3 };

/**
 * Runs the command; `argv` are the arguments after `check`. Returns the exit code.
 *
 * @example
 * process.exitCode = await checkCommand(['h.edn', '--model', 'cas-register', '--timeout', '10']);
 */
export async function checkCommand(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    return usageError(`${(e as Error).message.split('\n')[0]}`, 'see faultline check --help');
  }
  const o = args.values;
  if (o.help) {
    console.log(commandHelp('check'));
    return 0;
  }
  if (args.positionals.length === 0) return usageError('no history files given', 'faultline check <file>... --model <name>');
  const txn = o.txn ?? (o.model !== undefined && TXN_WORKLOADS.includes(o.model as TxnWorkload) ? o.model : undefined);
  if (o.consistency !== undefined && txn === undefined) return usageError('--consistency needs --txn list-append|rw-register', 'e.g. --txn list-append --consistency serializable');
  const timeoutMs = o.timeout === undefined ? undefined : o.timeout * 1000;
  const maxStates = o['max-states'];
  const maxMemoryMb = o['max-memory'];
  const initial = o.initial;

  const reports: FileReport[] = [];
  for (const file of args.positionals) {
    const rep = txn
      ? await checkTxnFile(file, { format: o.format as HistoryFormat | undefined, workload: txn as TxnWorkload, consistency: o.consistency })
      : await checkFile(file, { format: o.format as HistoryFormat | undefined, model: o.model, initial, timeoutMs, maxStates, maxMemoryMb, partition: !o['no-partition'] });
    reports.push(rep);
    if (!o.json) {
      if (rep.error) console.error(`faultline check: ${rep.error}`);
      else console.log(`${file}\t${rep.verdict}\t${rep.ms.toFixed(1)}`);
    }
  }
  const exitCode = reports.reduce((worst, r) => (RANK[r.exitCode] > RANK[worst] ? r.exitCode : worst), 0);
  if (o.json) {
    console.log(JSON.stringify({ exitCode, files: reports }, null, 2));
    return exitCode;
  }
  for (const r of reports) {
    if (r.transactional) console.log(`\n${formatTransactional(r)}`);
    else if (r.verdict === 'illegal') console.log(`\n${formatCounterexamples(r)}`);
    else if (r.verdict === 'unknown') console.log(`\n${r.file}: ${r.summary}`);
  }
  return exitCode;
}

function parse(argv: string[]) {
  return parseFlags('check', argv);
}

function usageError(what: string, fix: string): number {
  console.error(`faultline check: ${what} (${fix})`);
  return 2;
}

type ReadHistory = ReturnType<typeof readHistory>;

/** Reads and parses one history file; bad input becomes the file's exit-2 report, never a throw. */
async function withHistory(file: string, format: HistoryFormat | undefined, judge: (read: ReadHistory) => FileReport): Promise<FileReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { file, ms: 0, exitCode: 2, error: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (check the path)` };
  }
  try {
    return judge(readHistory(text, format, file));
  } catch (e) {
    if (e instanceof HistoryError) return { file, ms: 0, exitCode: 2, error: e.file ? e.message : `${file}: ${e.message}` };
    throw e;
  }
}

function exitCodeOf(verdict: string): number {
  return verdict === 'ok' ? 0 : verdict === 'illegal' ? 1 : 3;
}

function checkFile(
  file: string,
  o: { format?: HistoryFormat; model?: string; initial: unknown; timeoutMs?: number; maxStates?: number; maxMemoryMb?: number; partition: boolean },
): Promise<FileReport> {
  const t0 = performance.now();
  return withHistory(file, o.format, (read) => {
    const modelName = o.model ?? read.defaults.model;
    if (!modelName) {
      const txns = read.history.some((op) => op.f === 'txn');
      const fix = txns ? 'it holds txns: use --txn list-append|rw-register' : `use --model ${modelNames.join('|')}`;
      return { file, format: read.format, ms: 0, exitCode: 2, error: `${file}: no --model given and format ${read.format} does not imply one (${fix})` };
    }
    const model = getModel(modelName, { initial: o.initial !== undefined ? o.initial : read.defaults.initial });
    const r: LinearizabilityResult = checkLinearizability(read.history, model, {
      timeoutMs: o.timeoutMs,
      maxStates: o.maxStates,
      maxMemoryMb: o.maxMemoryMb,
      partition: o.partition,
      source: { file, lines: read.lines },
    });
    const ms = performance.now() - t0;
    return { file, format: read.format, model: modelName, verdict: r.verdict, ms, summary: r.summary, budget: r.budget, counterexamples: r.counterexamples, exitCode: exitCodeOf(r.verdict) };
  });
}

function checkTxnFile(file: string, o: { format?: HistoryFormat; workload: TxnWorkload; consistency?: string }): Promise<FileReport> {
  const t0 = performance.now();
  return withHistory(file, o.format, (read) => {
    const r = checkTransactional(read.history, { workload: o.workload, consistency: o.consistency, source: { file, lines: read.lines } });
    return { file, format: read.format, model: o.workload, verdict: r.verdict, ms: performance.now() - t0, summary: r.summary, transactional: r.details, exitCode: exitCodeOf(r.verdict) };
  });
}

/** The readable block for one transactional file: verdict, anomalies explained, what was not inferable. */
function formatTransactional(r: FileReport): string {
  const d = r.transactional!;
  const out = [`${r.file}: ${r.summary}`];
  if (d.anomalies.length) out.push(explainAnomalies(d, 5).replace(/^/gm, '  '));
  if (d.ruledOut.length) out.push(`  rules out: ${d.ruledOut.join(', ')}`);
  out.push(`  cannot infer (${d.workload}): ${d.cannotInfer.join('; ')}`);
  return out.join('\n');
}

const SHOW_LAST = 12;

/** The readable counterexample block for one illegal file. */
function formatCounterexamples(r: FileReport): string {
  const out: string[] = [];
  for (const ce of r.counterexamples ?? []) {
    out.push(`${r.file}: ${r.summary && ce === r.counterexamples![0] ? r.summary : ''}`.trimEnd());
    ce.prefixes.forEach((p, i) => {
      const where = ce.partition === null ? '' : ` of key ${JSON.stringify(ce.partition)}`;
      out.push(`  longest linearizable prefix ${i + 1}${where}: ${p.ops.length} ops, reaching state ${p.state}`);
      const shown = p.ops.slice(-SHOW_LAST);
      if (p.ops.length > shown.length) out.push(`    ... ${p.ops.length - shown.length} earlier ops`);
      for (const op of shown) out.push(`    #${op.index} process ${op.process}: ${op.description}${op.outcome === 'info' ? ' (never returned)' : ''}`);
      if (p.blocked) out.push(`    then #${p.blocked.index} process ${p.blocked.process}: ${p.blocked.description} cannot be placed`);
    });
  }
  return out.join('\n');
}
