import { describe, expect, it } from 'vitest';
import { protocols } from '../protocols/index.ts';
import { loadEntry } from '../src/corpus/corpus.ts';
import type { NodeCtx, NodeHandlers } from '../src/node/api.ts';
import { tellStory } from '../src/report/story.ts';
import { causalPast, causeChains } from '../src/report/causal-past.ts';
import { runScenario, type RunResult } from '../src/run/run.ts';
import type { ScenarioOptions } from '../src/run/scenario.ts';
import type { SimResult } from '../src/sim/simulator.ts';
import type { CheckerResult } from '../checkers/result.ts';
import { simulate } from './core/helpers.ts';

async function replayTraced(file: string): Promise<RunResult> {
  const { protocol, input } = loadEntry(file, protocols);
  return runScenario(protocol, input, { recordTrace: true });
}

/** The numbered step lines of a story. */
function steps(text: string): string[] {
  return text.split('\n').filter((l) => /^ *\d+\. /.test(l));
}

/** A RunResult around a bare simulation, failing with `check`. */
function failedRun(sim: SimResult, check: CheckerResult): RunResult {
  const options = { protocol: 'test', variant: 'v', seed: 1, nodes: 3, clients: 1 } as ScenarioOptions;
  return { status: 'fail', failing: [check.checker], options, ops: [], faults: [], sim, checks: [check] };
}

describe('causal story', () => {
  it('raft/stale-local-read-48: tells the stale answer, the election that made it stale and the lost vote request', async () => {
    const story = tellStory(await replayTraced('corpus/raft/stale-local-read-48.json')).text;
    const lines = steps(story);
    // The key step: the isolated old leader answers the read from its own state.
    const stale = lines.findIndex((l) => l.includes('n1 answers op #2: ok'));
    const elected = lines.findIndex((l) => l.includes('n3: leader of term 2'));
    const read = lines.findIndex((l) => l.includes('client invokes get [c] at n1'));
    expect(stale).toBeGreaterThan(read);
    expect(read).toBeGreaterThan(elected);
    expect(elected).toBeGreaterThan(-1);
    // How n3 got elected: its PreVote and vote requests reached n2; the ones to the isolated n1 were cut.
    expect(story).toContain('n3 -> n2: {t:pv,term:2,');
    expect(story).toContain('n2 -> n3: {t:rvr,term:2,granted:true}');
    expect(story).toMatch(/n3 -> n1: \{t:rv,term:2,.*LOST \(link cut\)/);
    expect(story).toMatch(/cannot be placed/);
  });

  it('primary-backup/ack-before-backup-1: an invariant story includes the write that never reached the new primary', async () => {
    const traced = await replayTraced('corpus/primary-backup/ack-before-backup-1.json');
    const story = tellStory(traced).text;
    expect(story).toMatch(/n2 -> n4: \{t:write,epoch:1,seq:1,value:0,opId:0\}  LOST \(network loss\)/);
    expect(story).toMatch(/n4: primary of epoch 2/);
    // Cut at the violation (the instant the invariant names): nothing later is told.
    const brokeAtMs = (traced.checks.find((c) => c.verdict === 'illegal')!.details as { timeMs: number }).timeMs;
    expect(brokeAtMs).toBeGreaterThan(0);
    const times = steps(story).map((l) => Number(/^ *\d+\. +(\d+) ms/.exec(l)![1]));
    expect(times.length).toBeGreaterThan(3);
    for (const t of times) expect(t).toBeLessThanOrEqual(brokeAtMs);
  });

  it('2pc/commit-on-timeout-0: an invariant over every node tells both decisions and the lost vote between them', async () => {
    const lines = steps(tellStory(await replayTraced('corpus/2pc/commit-on-timeout-0.json')).text);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const lost = at(/n2 -> n1: \{t:vote,txn:0,yes:true\}  LOST/);
    const commits = at(/n2: commits txn 0/);
    const aborts = at(/n1: coordinator decides abort of txn 0/);
    expect(lost).toBeGreaterThan(-1);
    expect(commits).toBeGreaterThan(lost);
    expect(aborts).toBeGreaterThan(commits);
    // The decision message sent after the violation, and its ack, are not part of the story.
    expect(lines.join('\n')).not.toMatch(/t:decision|t:ack/);
  });

  it('abd/minority-quorum-0: a read story shows where the value it returned came from (the write, and its delivery on the answering node)', async () => {
    const r = await replayTraced('corpus/abd/minority-quorum-0.json');
    const lines = steps(tellStory(r).text);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    // The read that cannot be placed returned 6; op #0 wrote 6 at n2.
    const read = at(/n1 answers op #4: ok 6$/);
    const write = at(/client invokes write 6 at n2 +\(op #0\)/);
    expect(read).toBeGreaterThan(-1);
    expect(write).toBeGreaterThan(-1);
    // n1 answered the read from its own register: 6 got there by op #0's set, held back by the
    // clog and delivered at n1 long after it was sent. Without it the story shows n1 answering 6
    // with nothing on n1 that ever set 6.
    const delivered = at(/n2 -> n1: call#\d+ \{type:set,ts:\{n:1,w:n2,op:0\},value:6\} \(sent \d+ ms\)/);
    const n1Answers6 = at(/n1 -> n1: reply#\d+ \{ts:\{n:1,w:n2,op:0\},value:6\}/);
    expect(delivered).toBeGreaterThan(write);
    expect(n1Answers6).toBeGreaterThan(delivered);
    expect(read).toBeGreaterThan(n1Answers6);
    // Still the same bytes for the same run.
    expect(tellStory(await replayTraced('corpus/abd/minority-quorum-0.json')).text).toBe(tellStory(r).text);
  });

  it('pbft/view-change-without-certificates-1: one broadcast delivered at one instant is one step; a lost copy keeps its own', async () => {
    const r = await replayTraced('corpus/pbft/view-change-without-certificates-1.json');
    const story = tellStory(r);
    const lines = steps(story.text);
    expect(lines.length).toBe(story.steps);
    // n1's pre-prepare reached all three backups at 712 ms: told once, naming every receiver.
    expect(lines.filter((l) => /712 ms {2}n1 -> n2, n3, n4: \{t:pp,from:n1,v:0,n:1,/.test(l))).toHaveLength(1);
    expect(story.text).not.toMatch(/712 ms {2}n1 -> n[234]: \{t:pp/);
    // A copy the network lost is its own step, and the delivered rest of that broadcast another.
    expect(story.text).toMatch(/n2 -> n1: \{t:req,req:\{rid:0,.*LOST \(network loss\)/);
    expect(story.text).toMatch(/n2 -> n3, n4: \{t:req,req:\{rid:0,/);
    // Every event told is counted once: the ones left out plus the ones told make up the trace's tellable events.
    const deliveriesTold = lines.reduce((n, l) => n + (/ -> ([^:]+): /.exec(l)?.[1].split(', ').length ?? 0), 0);
    expect(deliveriesTold).toBeGreaterThan(lines.filter((l) => / -> /.test(l)).length);
  });

  it('shardkv/stale-shard-map-9: one request called on several nodes at one instant is one step naming each call, whose replies follow', async () => {
    const lines = steps(tellStory(await replayTraced('corpus/shardkv/stale-shard-map-9.json')).text);
    const install = lines.find((l) => /n1 -> n3 \(call#\d+\), n4 \(call#\d+\), n2 \(call#\d+\): \{t:install,/.test(l));
    expect(install).toBeDefined();
    for (const [, id] of install!.matchAll(/call#(\d+)/g)) expect(lines.some((l) => l.includes(`-> n1: reply#${id} {ok:true}`))).toBe(true);
  });

  it('mapreduce/non-atomic-output-0: an invariant broken by a delivery shows the earlier messages of its kind on that node (both writes of the duplicated output)', async () => {
    const r = await replayTraced('corpus/mapreduce/non-atomic-output-0.json');
    const lines = steps(tellStory(r).text);
    // 'ant' appears twice: the re-executed reduce task wrote it again after the first attempt had.
    expect(r.failing).toContain('always(output-exactly-once)');
    const writes = lines.filter((l) => /n2 -> n1: \{t:write,attempt:\d+,job:6,r:2,i:0,n:2,records:\[\[ant,16\]/.test(l));
    const attempts = new Set(writes.map((l) => /attempt:(\d+)/.exec(l)![1]));
    expect(attempts.size).toBe(2);
  });

  it('abd/no-write-back-7: names calls and their answers from the envelope', async () => {
    const story = tellStory(await replayTraced('corpus/abd/no-write-back-7.json')).text;
    expect(story).toMatch(/n2 -> n1: call#\d+ \{type:set,ts:\{n:1,w:n2,op:0\},value:8\}  LOST/);
    expect(story).toMatch(/n3 -> n2: reply#\d+ \{ack:true\}/);
  });

  it('a user message with fields callId and body is told as the plain message it is', async () => {
    const create = (ctx: NodeCtx): NodeHandlers => ({
      onStart() {
        if (ctx.id === 'n1') ctx.send('n2', { callId: 7, body: 'hello' });
      },
      onMessage(_from, msg) {
        if (ctx.id === 'n2') ctx.send('n3', { callId: 1, body: { seen: (msg as { callId: number }).callId } });
      },
    });
    const sim = await simulate(create, { net: { latencyMinMs: 5, latencyMaxMs: 5 } });
    const last = sim.trace.findLast((e) => e.kind === 'deliver')!;
    const story = tellStory(failedRun(sim, { checker: 'always(x)', verdict: 'illegal', summary: 'x broke', details: { timeMs: last.timeMs } })).text;
    expect(story).toContain('n1 -> n2: {callId:7,body:hello}');
    expect(story).toContain('n2 -> n3: {callId:1,body:{seen:7}}');
    expect(story).not.toMatch(/call#|reply#/);
  });

  it('tells a message of a stuck op that never arrived', async () => {
    const create = (ctx: NodeCtx): NodeHandlers => ({
      onClientRequest(op) {
        ctx.send('n2', { forward: op.value });
      },
    });
    const sim = await simulate(create, {
      ops: [{ client: 0, node: 'n1', f: 'write', value: 3, thinkMs: 0 }],
      healAtMs: 10,
      net: { latencyMinMs: 5000, latencyMaxMs: 5000 },
    });
    expect(sim.trace.some((e) => e.kind === 'in-flight')).toBe(true);
    const stuck = { checker: 'pending-ops-complete', verdict: 'illegal' as const, summary: 'stuck', details: { stuck: [{ index: 0 }] } };
    const story = tellStory(failedRun(sim, stuck)).text;
    expect(story).toMatch(/client invokes write 3 at n1/);
    expect(story).toMatch(/n1 -> n2: \{forward:3\}  NEVER ARRIVED/);
  });

  it('the causal past follows cause links and each node\'s own order; cause chains stop at timers', async () => {
    const r = await replayTraced('corpus/raft/vote-without-log-check-2.json');
    const trace = r.sim.trace;
    const complete = trace.findLast((e) => e.kind === 'complete')!;
    const past = causalPast(trace, [complete.index]);
    for (let i = 0; i < trace.length; i++) {
      // Everything a past event was caused by is in the past too.
      if (past[i] === 1 && trace[i].cause >= 0) expect(past[trace[i].cause]).toBe(1);
      if (i > complete.index) expect(past[i]).toBe(0);
    }
    const chain = [...causeChains(trace, [complete.index])].map((i) => trace[i].kind);
    // The last answer came back through six messages that began at an election timer (and stop there).
    expect(chain).toEqual(['complete', 'reply', ...Array<string[]>(6).fill(['deliver', 'send']).flat(), 'timer']);
  });
});

describe('causal story anchors', () => {
  it('an invariant broken in a traced run names the event just handled, by trace index', async () => {
    const file = 'corpus/2pc/commit-on-timeout-0.json';
    const traced = await replayTraced(file);
    const check = traced.checks.find((c) => c.verdict === 'illegal' && c.checker.startsWith('always('))!;
    const at = check.details as { traceIndex?: number; timeMs: number };
    expect(at.traceIndex).toBeGreaterThanOrEqual(0);
    const ev = traced.sim.trace[at.traceIndex!];
    expect(ev.timeMs).toBe(at.timeMs);
    expect(['deliver', 'timer', 'wake', 'call-timeout', 'arrive', 'complete', 'fault', 'heal', 'crash', 'restart', 'pause', 'resume']).toContain(ev.kind);
    // Without a trace there is nothing to point at.
    const { protocol, input } = loadEntry(file, protocols);
    const plain = (await runScenario(protocol, input)).checks.find((c) => c.checker === check.checker)!;
    expect((plain.details as { traceIndex?: number }).traceIndex).toBeUndefined();
  });

  it('anchors on the exact event a check names by trace index, and tells nothing after it', async () => {
    const create = (ctx: NodeCtx): NodeHandlers => ({
      onStart() {
        if (ctx.id === 'n1') ctx.broadcast({ ping: 1 });
      },
      onMessage(from, msg) {
        if ((msg as { ping?: number }).ping === 1) ctx.send(from, { pong: 1 });
      },
    });
    const sim = await simulate(create, { net: { latencyMinMs: 5, latencyMaxMs: 5 } });
    const firstPong = sim.trace.find((e) => e.kind === 'deliver' && (e.body as { pong?: number }).pong === 1)!;
    const story = tellStory(failedRun(sim, { checker: 'always(x)', verdict: 'illegal', summary: 'x', details: { traceIndex: firstPong.index, timeMs: firstPong.timeMs } })).text;
    const pongs = steps(story).filter((l) => l.includes('{pong:1}'));
    expect(pongs).toHaveLength(1);
    expect(pongs[0]).toContain(`${firstPong.envelope!.from} -> n1`);
  });
});
