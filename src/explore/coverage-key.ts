import type { ProtocolDef } from '../run/protocol.ts';
import type { Observer, WorldView } from '../sim/simulator.ts';
import type { TraceEvent } from '../sim/trace.ts';

/**
 * What a run covered, for the `coverage` strategy: a set of abstract features, sent back from the
 * worker as 32-bit hashes. With the protocol's `coverage` hook, a feature is each abstract state
 * the hook named and each change from one to the next; without it, features come from the trace:
 * per node, the local events (a message of some type delivered, a timer, a crash, a restart) and
 * pairs of consecutive ones, which messages a node sends while handling which event, and how often
 * each happened (in powers of two, as fuzzers count branch hits). `ctx.sometimes` situations
 * reached count in both cases.
 */

/** Distinct hook keys one run may report: past it, further new keys are ignored (a key with a raw counter in it would grow without bound). */
export const MAX_KEYS_PER_RUN = 10_000;

/**
 * An observer that asks the protocol's `coverage` hook for the world's abstract state after every
 * event and keeps the distinct states and changes of state.
 *
 * @example
 * const c = hookCoverage(raft, 'correct');
 * await runScenario(raft, { options }, { observers: [c.observer] });
 * c.features(); // ['k:leader follower follower|terms 1', 'k:...>...', ...]
 */
export function hookCoverage(protocol: ProtocolDef, variant: string): { observer: Observer; features(): Set<string> } {
  const hook = protocol.coverage;
  if (hook === undefined) throw new Error(`assertion failed: ${protocol.name} has no coverage hook`);
  const out = new Set<string>();
  let previous: string | undefined;
  const observer: Observer = {
    observe(view: WorldView) {
      const key = hook(view, variant);
      if (typeof key !== 'string' || key === previous) return;
      if (out.size < MAX_KEYS_PER_RUN) {
        out.add(`k:${key}`);
        if (previous !== undefined) out.add(`k:${previous}>${key}`);
      }
      previous = key;
    },
  };
  return { observer, features: () => out };
}

/**
 * The default features of a run, from its trace (see the file comment).
 *
 * @example
 * traceFeatures(r.sim.trace); // Set { 'e:deliver rv#1', 'b:timer election>deliver rvr granted=true', ... }
 */
export function traceFeatures(trace: readonly TraceEvent[]): Set<string> {
  const out = new Set<string>();
  const lastAt = new Map<string, string>();
  const counts = new Map<string, number>();
  const labels: Array<string | undefined> = new Array(trace.length);
  for (const ev of trace) {
    const label = localLabel(ev);
    labels[ev.index] = label;
    if (ev.kind === 'send' && ev.cause >= 0 && labels[ev.cause] !== undefined) {
      out.add(`s:${labels[ev.cause]}>${messageLabel(ev.body)}`);
    }
    if (label === undefined || ev.node === undefined) continue;
    const before = lastAt.get(ev.node) ?? 'start';
    out.add(`b:${before}>${label}`);
    lastAt.set(ev.node, label);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  for (const [label, n] of counts) out.add(`e:${label}#${bucket(n)}`);
  return out;
}

/**
 * Features of the `ctx.sometimes` situations a run reached, with how often (bucketed).
 *
 * @example
 * sometimesFeatures({ 'leader deposed': 3, 'never': 0 }); // ['x:leader deposed#3']
 */
export function sometimesFeatures(sometimes: Record<string, number>): string[] {
  return Object.entries(sometimes)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `x:${name}#${bucket(n)}`);
}

/**
 * Features as sorted, distinct 32-bit hashes (FNV-1a): compact to send from a worker, cheap to compare.
 *
 * @example
 * featureHashes(['e:timer#1', 'e:timer#1']); // one number
 */
export function featureHashes(features: Iterable<string>): number[] {
  const out = new Set<number>();
  for (const f of features) out.add(fnv1a(f));
  return [...out].sort((a, b) => a - b);
}

/** Hit counts in fuzzer buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
function bucket(n: number): number {
  if (n <= 3) return n;
  if (n < 8) return 4;
  if (n < 16) return 8;
  if (n < 32) return 16;
  return n < 128 ? 32 : 128;
}

/** What happened at a node, abstractly; undefined for events that are not a node's own step. */
function localLabel(ev: TraceEvent): string | undefined {
  switch (ev.kind) {
    case 'deliver':
      return `deliver ${messageLabel(ev.body)}`;
    case 'timer':
      return `timer ${abstractName(ev.detail ?? '')}`;
    case 'arrive':
      return `arrive ${abstractName(String((ev.body as { f?: unknown } | undefined)?.f ?? ''))}`;
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'wake':
    case 'call-timeout':
    case 'reply':
      return ev.kind;
    default:
      return undefined;
  }
}

/** Fields that commonly name a message's type. */
const TYPE_FIELDS = ['type', 'kind', 't', 'tag', 'op', 'msg', 'cmd'];

/**
 * A message's abstract type: its type field (`type`, `kind`, `t`, ...) or, lacking one, its shape
 * (the sorted field names), plus its boolean fields (`granted=true`, `ok=false`), which often
 * decide what the receiver does next.
 */
export function messageLabel(body: unknown): string {
  if (typeof body === 'string') return abstractName(body);
  if (Array.isArray(body)) return typeof body[0] === 'string' ? abstractName(body[0]) : `[${body.length > 0 ? typeof body[0] : ''}]`;
  if (body === null || typeof body !== 'object') return typeof body;
  const fields = body as Record<string, unknown>;
  const typeField = TYPE_FIELDS.find((k) => typeof fields[k] === 'string');
  const keys = Object.keys(fields).sort();
  const name = typeField !== undefined ? abstractName(fields[typeField] as string) : `{${keys.slice(0, 8).join(',')}}`;
  const flags = keys.filter((k) => typeof fields[k] === 'boolean').map((k) => `${k}=${String(fields[k])}`);
  return flags.length > 0 ? `${name} ${flags.slice(0, 4).join(' ')}` : name;
}

/** Digits stand for counters and ids: drop them, or every term would be a new feature. */
function abstractName(s: string): string {
  return s.slice(0, 40).replace(/\d+/g, '#');
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
