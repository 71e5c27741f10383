/**
 * Replayable Maelstrom runs: an entry file holds the test (Maelstrom's knobs), the program (path
 * and arguments, for in-process JavaScript only: process runs do not replay exactly) and the
 * explicit run input (options, op plan, fault plan, network tape), plus the outcome and
 * fingerprint it had. Loading one evaluates nothing; replaying runs the named program again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChoiceTape } from '../kernel/choices.ts';
import type { Fault } from '../faults/index.ts';
import type { RunResult } from '../run/run.ts';
import type { ScenarioOptions } from '../run/scenario.ts';
import type { PlannedOp } from '../workload/workload.ts';
import type { MaelstromTest } from './def.ts';
import type { ProgramSpec } from './runner.ts';

export const ENTRY_KIND = 'faultline-maelstrom-run';
export const ENTRY_VERSION = 1;

export interface MaelstromEntry {
  kind: typeof ENTRY_KIND;
  version: typeof ENTRY_VERSION;
  test: MaelstromTest;
  /** `bin` relative to the entry file's folder. */
  program: { bin: string; args: string[] };
  input: { options: ScenarioOptions; ops: PlannedOp[]; faults: Fault[]; tape: ChoiceTape };
  expected: { status: string; failing: string[]; fingerprint: string };
}

/** Bad entry file: one line naming what is wrong (exit 2). */
export class EntryError extends Error {}

/**
 * Builds an entry for a finished in-process run.
 *
 * @example
 * writeFileSync('run.json', JSON.stringify(makeEntry('out/run.json', test, spec, result)));
 */
export function makeEntry(entryPath: string, test: MaelstromTest, spec: ProgramSpec, r: RunResult): MaelstromEntry {
  return {
    kind: ENTRY_KIND,
    version: ENTRY_VERSION,
    test,
    program: { bin: path.relative(path.dirname(path.resolve(entryPath)), path.resolve(spec.bin)), args: spec.args },
    input: { options: r.options, ops: r.ops, faults: r.faults, tape: r.sim.tape },
    expected: { status: r.status, failing: r.failing, fingerprint: r.sim.fingerprint },
  };
}

/**
 * Reads and validates an entry file (as data), or throws EntryError naming the problem.
 *
 * @example
 * const { entry, spec } = loadEntry('out/maelstrom/broadcast-seed-7/entry.json');
 */
export function loadEntry(file: string): { entry: MaelstromEntry; spec: ProgramSpec } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new EntryError(`${file}: cannot read the file`);
  }
  let e: MaelstromEntry;
  try {
    e = JSON.parse(text) as MaelstromEntry;
  } catch (err) {
    throw new EntryError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (e === null || typeof e !== 'object' || e.kind !== ENTRY_KIND) throw new EntryError(`${file}: not a Maelstrom run entry (kind must be "${ENTRY_KIND}")`);
  if (e.version !== ENTRY_VERSION) throw new EntryError(`${file}: entry version ${JSON.stringify(e.version)}, this Faultline reads version ${ENTRY_VERSION}: re-create it by running the test again`);
  const i = e.input;
  const ok = e.test && typeof e.test.workload === 'string' && e.program && typeof e.program.bin === 'string' && Array.isArray(e.program.args) && i && i.options && Array.isArray(i.ops) && Array.isArray(i.faults) && i.tape && Array.isArray(i.tape.values) && e.expected && typeof e.expected.fingerprint === 'string';
  if (!ok) throw new EntryError(`${file}: missing fields (needs test, program {bin, args}, input {options, ops, faults, tape}, expected {fingerprint})`);
  const bin = path.resolve(path.dirname(path.resolve(file)), e.program.bin);
  return { entry: e, spec: { bin, args: e.program.args.map(String), mode: 'in-process' } };
}
