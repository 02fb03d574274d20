import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobProgress } from '../../core/contract/equimol-api';
import { JobQueue, UnknownJobError, yieldToEventLoop, type JobContext } from '../../core/session/job-queue';

/** A job that processes `total` items in batches of `batch`, yielding between batches, and logs its start. */
function batchedJob(log: string[], name: string, total: number, batch = 1, priority?: number) {
  return {
    kind: 'predict' as const,
    label: name,
    total,
    ...(priority !== undefined ? { priority } : {}),
    async run(context: JobContext) {
      log.push(`start ${name}`);
      let done = 0;
      while (done < total) {
        if (context.signal.aborted) throw context.signal.reason;
        done = Math.min(total, done + batch);
        context.report(done);
        await yieldToEventLoop();
      }
      log.push(`end ${name}`);
      return `${name}:${done}`;
    },
  };
}

test('jobs run in FIFO order with concurrency 1, each resolving with its result', async () => {
  const log: string[] = [];
  const queue = new JobQueue({ concurrency: 1 });
  const ids = ['a', 'b', 'c'].map((n) => queue.enqueue(batchedJob(log, n, 3)).id);
  assert.deepEqual(queue.list().map((j) => j.state), ['running', 'queued', 'queued']);
  await queue.idle();
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  assert.deepEqual(ids.map((id) => queue.result<string>(id)), ['a:3', 'b:3', 'c:3']);
  assert.deepEqual(queue.list().map((j) => [j.state, j.done, j.total]), [['done', 3, 3], ['done', 3, 3], ['done', 3, 3]]);
});

test('higher priority jobs jump the queue, FIFO within a priority', async () => {
  const log: string[] = [];
  const queue = new JobQueue({ concurrency: 1 });
  queue.enqueue(batchedJob(log, 'first', 1));
  queue.enqueue(batchedJob(log, 'low', 1, 1, -1));
  queue.enqueue(batchedJob(log, 'normal1', 1));
  queue.enqueue(batchedJob(log, 'urgent', 1, 1, 5));
  queue.enqueue(batchedJob(log, 'normal2', 1));
  await queue.idle();
  assert.deepEqual(log.filter((l) => l.startsWith('start')), ['start first', 'start urgent', 'start normal1', 'start normal2', 'start low']);
});

test('no more than the concurrency limit run at the same time', async () => {
  const queue = new JobQueue({ concurrency: 2 });
  let running = 0;
  let peak = 0;
  for (let j = 0; j < 6; j++) {
    queue.enqueue({
      kind: 'predict',
      label: `j${j}`,
      total: 4,
      async run(context) {
        running++;
        peak = Math.max(peak, running);
        for (let i = 1; i <= 4; i++) {
          context.report(i);
          await yieldToEventLoop();
        }
        running--;
      },
    });
  }
  await queue.idle();
  assert.equal(peak, 2);
  assert.equal(queue.list().filter((j) => j.state === 'done').length, 6);
});

test('progress events are monotone in done, end in a terminal state, and report rate and ETA', async () => {
  let clock = 0;
  const events: JobProgress[] = [];
  const queue = new JobQueue({ now: () => clock, onProgress: (p) => events.push(p) });
  const { id } = queue.enqueue({
    kind: 'predict',
    label: 'timed',
    total: 10,
    async run(context) {
      for (const done of [2, 4, 3, 6, 10]) {
        clock += 1000; // 1 s per batch
        context.report(done); // a smaller value (3 after 4) must be ignored
        await yieldToEventLoop();
      }
    },
  });
  await queue.whenFinished(id);
  const mine = events.filter((e) => e.id === id);
  assert.deepEqual(mine.map((e) => e.state), ['queued', 'running', 'running', 'running', 'running', 'running', 'done']);
  const dones = mine.map((e) => e.done);
  for (let i = 1; i < dones.length; i++) assert.ok(dones[i]! >= dones[i - 1]!, `done went down: ${dones}`);
  assert.deepEqual(dones, [0, 0, 2, 4, 6, 10, 10]);
  const afterTwo = mine[2]!; // 2 done in 1 s
  assert.equal(afterTwo.rate, 2);
  assert.equal(afterTwo.etaSeconds, 4); // 8 left at 2/s
  assert.equal(mine.at(-1)!.etaSeconds, 0);
  assert.equal(mine.at(-1)!.elapsedSeconds, 5);
});

test('cancelling a running job stops it at the next batch and marks it cancelled; the next job starts', async () => {
  const log: string[] = [];
  const queue = new JobQueue({ concurrency: 1 });
  let batches = 0;
  const long = queue.enqueue({
    kind: 'predict',
    label: 'long',
    total: 1_000_000,
    async run(context) {
      for (let i = 1; i <= 1_000_000; i++) {
        if (context.signal.aborted) throw context.signal.reason;
        batches++;
        context.report(i);
        await yieldToEventLoop();
      }
    },
  });
  const next = queue.enqueue(batchedJob(log, 'next', 2));
  while (batches < 5) await yieldToEventLoop();
  const snapshot = queue.cancel(long.id);
  assert.equal(snapshot.state, 'cancelled');
  const batchesAtCancel = batches;
  const final = await queue.whenFinished(next.id);
  assert.equal(final.state, 'done');
  assert.ok(batches - batchesAtCancel <= 1, `job ran ${batches - batchesAtCancel} batches after cancel`);
  assert.equal(queue.get(long.id).state, 'cancelled');
  assert.ok(queue.get(long.id).done < 1_000_000);
  assert.deepEqual(log, ['start next', 'end next']);
});

test('a job cancelled while running keeps what it records while stopping (message, sampler status, documents) and settles when its run returns', async () => {
  const events: JobProgress[] = [];
  const queue = new JobQueue({ concurrency: 1, samplerIntervalMs: 0, onProgress: (p) => events.push(p) });
  let steps = 0;
  let returned = false;
  const job = queue.enqueue({
    kind: 'relax',
    label: 'stopping',
    total: 100,
    async run(context) {
      for (;;) {
        if (context.signal.aborted) {
          // What a sampler does when it stops: its last status, why it stopped, the document of what it kept.
          await yieldToEventLoop();
          context.reportSampler({ step: steps, totalSteps: 100, energy: -1.5 });
          context.setMessage(`cancelled at step ${steps}: kept ${steps} frames`);
          context.addOutputDocument('doc-kept');
          returned = true;
          return;
        }
        steps++;
        context.report(steps);
        await yieldToEventLoop();
      }
    },
  });
  while (steps < 3) await yieldToEventLoop();
  assert.equal(queue.cancel(job.id).state, 'cancelled', 'reported cancelled at once');
  const final = await queue.whenFinished(job.id);
  assert.ok(returned, 'whenFinished waited for the run to return');
  assert.equal(final.state, 'cancelled');
  assert.match(final.message ?? '', /^cancelled at step \d+: kept \d+ frames$/);
  assert.equal(final.sampler?.energy, -1.5);
  assert.deepEqual(final.outputDocIds, ['doc-kept']);
  assert.deepEqual(events.filter((e) => e.id === job.id).at(-1), final, 'the last event is the settled snapshot');
});

test('cancelling a queued job removes it before it starts', async () => {
  const log: string[] = [];
  const queue = new JobQueue({ concurrency: 1 });
  queue.enqueue(batchedJob(log, 'a', 3));
  const b = queue.enqueue(batchedJob(log, 'b', 3));
  queue.enqueue(batchedJob(log, 'c', 3));
  assert.equal(queue.cancel(b.id).state, 'cancelled');
  await queue.idle();
  assert.deepEqual(log, ['start a', 'end a', 'start c', 'end c']);
  assert.equal(queue.get(b.id).done, 0);
});

test('a failing job is marked failed with its message and the queue goes on', async () => {
  const log: string[] = [];
  const queue = new JobQueue({ concurrency: 1 });
  const bad = queue.enqueue({
    kind: 'predict',
    label: 'bad',
    total: 5,
    async run(context) {
      context.report(2);
      await yieldToEventLoop();
      throw new Error('model file is corrupt');
    },
  });
  const good = queue.enqueue(batchedJob(log, 'good', 2));
  await queue.idle();
  assert.equal(queue.get(bad.id).state, 'failed');
  assert.equal(queue.get(bad.id).message, 'model file is corrupt');
  assert.equal(queue.get(bad.id).done, 2);
  assert.equal(queue.get(good.id).state, 'done');
  assert.deepEqual(log, ['start good', 'end good']);
});

test('cancelling a finished job leaves it as it was; unknown ids throw', async () => {
  const queue = new JobQueue();
  const { id } = queue.enqueue(batchedJob([], 'x', 1));
  await queue.whenFinished(id);
  assert.equal(queue.cancel(id).state, 'done');
  assert.throws(() => queue.cancel('job-999'), UnknownJobError);
});

test('raising the concurrency starts waiting jobs at once', async () => {
  const queue = new JobQueue({ concurrency: 1 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const jobs = [0, 1, 2].map((i) =>
    queue.enqueue({ kind: 'predict', label: `g${i}`, total: 1, run: async () => void (await gate) }),
  );
  await yieldToEventLoop();
  assert.deepEqual(jobs.map((j) => queue.get(j.id).state), ['running', 'queued', 'queued']);
  queue.concurrency = 3;
  assert.deepEqual(jobs.map((j) => queue.get(j.id).state), ['running', 'running', 'running']);
  release();
  await queue.idle();
});

test('sampler reports are throttled by the clock, carry unit, step and output documents, and done still advances', async () => {
  let clock = 0;
  const events: JobProgress[] = [];
  const queue = new JobQueue({ now: () => clock, samplerIntervalMs: 100, onProgress: (p) => events.push(p) });
  const job = queue.enqueue({
    kind: 'md',
    label: 'md',
    total: 40,
    unit: 'steps',
    async run(context: JobContext) {
      context.addOutputDocument('doc-9');
      for (let step = 0; step <= 40; step += 10) {
        clock += 40; // a report every 40 ms: one event per 100 ms gets through
        context.reportSampler({ step, totalSteps: 40, energy: -step }, step);
      }
      context.setMessage('stopped early at step 40');
    },
  });
  const final = await queue.whenFinished(job.id);
  const sampled = events.filter((e) => e.state === 'running' && e.sampler);
  // Reports at t = 40, 80, 120, 160, 200 ms: events at 40 (step 0) and 160 (step 30, 120 ms after the last).
  assert.deepEqual(sampled.map((e) => [e.sampler!.step, e.done]), [[0, 0], [30, 30]]);
  assert.equal(final.state, 'done');
  assert.equal(final.unit, 'steps');
  assert.equal(final.sampler?.step, 40);
  assert.deepEqual(final.outputDocIds, ['doc-9']);
  assert.equal(final.message, 'stopped early at step 40');
  assert.ok(events.some((e) => e.state === 'running' && e.outputDocIds?.[0] === 'doc-9' && e.sampler === undefined), 'the output document is announced at once');
});
