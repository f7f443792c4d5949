// graphile-worker side of the queue benchmark. benchmarks/Queue.Benchmarks runs it once per step,
// with DATABASE_URL set to a database of its own, and reads the JSON object it prints last.
//
//   node graphile-bench.mjs setup
//   node graphile-bench.mjs enqueue --count N --subscribers K --payloads FILE --batch-size B
//   node graphile-bench.mjs consume --count N --subscriber I --payloads FILE --batch-size B
//   node graphile-bench.mjs latency --rate R --seconds S --payloads FILE --batch-size B
//   node graphile-bench.mjs steady  --rate R --seconds S --payloads FILE --batch-size B
//
// graphile-worker has no fan-out, so subscriber I is the task "subscriber_I" and a tweet for K
// subscribers is K jobs, each with its own copy of the payload. Workers run with the batching that
// graphile-worker's performance guide recommends for high throughput: a local queue that locks up
// to B jobs per fetch and completions batched in one statement.

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Logger, makeWorkerUtils, run, runMigrations } from "graphile-worker";

const CONCURRENCY = 10;
const TICK_MS = 10;
const MAX_PER_SEND = 500;

const [command, ...rest] = process.argv.slice(2);
const args = parseArguments(rest);
const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  fail("DATABASE_URL is missing: set it to the postgres:// URL of the benchmark database.");
}

// Warnings and errors only; graphile-worker logs every job at info level.
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") {
    console.error(`graphile-worker ${level}: ${message}`);
  }
});

const batchSize = numberArgument("batch-size", 500);
const templates = args.payloads
  ? readFileSync(args.payloads, "utf8").split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))
  : [];

const commands = { setup, enqueue, consume, latency, steady };
if (!commands[command]) {
  fail(`Unknown command '${command}': expected one of ${Object.keys(commands).join(", ")}.`);
}

const result = await commands[command]();
console.log(JSON.stringify(result));

async function setup() {
  await runMigrations({ connectionString, logger });
  return { ok: true };
}

async function enqueue() {
  const count = numberArgument("count");
  const subscribers = numberArgument("subscribers", 1);
  const utils = await makeWorkerUtils({ connectionString, logger });
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    for (let first = 0; first < count; first += batchSize) {
      await utils.addJobs(jobs(first, Math.min(batchSize, count - first), subscribers));
    }
    return { tweets: count, jobs: count * subscribers, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSecondsSince(cpuBefore) };
  } finally {
    await utils.release();
  }
}

async function consume() {
  const count = numberArgument("count");
  const subscriber = numberArgument("subscriber");
  let seen = 0;
  let finishedAt = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const cpuBefore = process.cpuUsage();
  const runner = await startWorker(subscriber, () => {
    seen++;
    if (seen === count) {
      finishedAt = performance.now();
      done();
    }
  });
  const started = performance.now();
  await finished;
  const cpuSeconds = cpuSecondsSince(cpuBefore);
  await runner.stop();
  const seconds = (finishedAt - started) / 1000;
  return { subscriber, consumed: seen, seconds, perSecond: count / seconds, cpuSeconds };
}

async function latency() {
  const rate = numberArgument("rate");
  const seconds = numberArgument("seconds");
  const capacity = Math.ceil(rate * (seconds + 1));
  const sentAt = new Float64Array(capacity);
  const committedAt = new Float64Array(capacity);
  const receivedAt = new Float64Array(capacity);
  let received = 0;
  const runner = await startWorker(1, (payload) => {
    receivedAt[payload.seq] = performance.now();
    received++;
  });

  const sent = await produce(
    rate,
    seconds,
    (first, count) => sentAt.fill(performance.now(), first, first + count),
    (first, count) => committedAt.fill(performance.now(), first, first + count),
  );
  const deadline = performance.now() + 5000;
  while (received < sent && performance.now() < deadline) {
    await sleep(20);
  }
  await runner.stop();

  const latencies = [];
  const enqueueCalls = [];
  for (let i = 0; i < sent; i++) {
    enqueueCalls.push(committedAt[i] - sentAt[i]);
    if (receivedAt[i] !== 0) {
      latencies.push(receivedAt[i] - sentAt[i]);
    }
  }
  latencies.sort((a, b) => a - b);
  enqueueCalls.sort((a, b) => a - b);
  return {
    sent,
    received: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? null,
    enqueueCallP50: percentile(enqueueCalls, 50),
  };
}

async function steady() {
  const rate = numberArgument("rate");
  const seconds = numberArgument("seconds");
  let consumed = 0;
  const runner = await startWorker(1, () => consumed++);
  const started = performance.now();
  const sent = await produce(rate, seconds, () => {}, () => {});
  const elapsed = (performance.now() - started) / 1000;
  const consumedInRun = consumed;
  await runner.stop();
  return { sent, consumed: consumedInRun, seconds: elapsed };
}

// Sends the jobs that fell due every 10 ms, numbered from 0, until `seconds` pass; returns the count.
// onSend and onCommitted run before and after each addJobs call.
async function produce(rate, seconds, onSend, onCommitted) {
  const utils = await makeWorkerUtils({ connectionString, logger });
  try {
    const started = performance.now();
    let sent = 0;
    for (;;) {
      await sleep(TICK_MS);
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= seconds) {
        return sent;
      }
      const due = Math.floor(elapsed * rate) - sent;
      if (due <= 0) {
        continue;
      }
      const count = Math.min(due, MAX_PER_SEND);
      onSend(sent, count);
      await utils.addJobs(jobs(sent, count, 1));
      onCommitted(sent, count);
      sent += count;
    }
  } finally {
    await utils.release();
  }
}

function jobs(first, count, subscribers) {
  const specs = [];
  for (let seq = first; seq < first + count; seq++) {
    const tweet = templates[seq % templates.length];
    for (let subscriber = 1; subscriber <= subscribers; subscriber++) {
      specs.push({ identifier: `subscriber_${subscriber}`, payload: { seq, tweet } });
    }
  }
  return specs;
}

// Starts a worker pool that runs only the task of `subscriber`, calling onJob with each payload.
function startWorker(subscriber, onJob) {
  return run({
    connectionString,
    logger,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    taskList: {
      [`subscriber_${subscriber}`]: async (payload) => onJob(payload),
    },
    preset: {
      worker: {
        localQueue: { size: batchSize },
        completeJobBatchDelay: 0,
      },
    },
  });
}

// Processor time (user and system) of this process since `before`, in seconds.
function cpuSecondsSince(before) {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function percentile(sorted, percent) {
  if (sorted.length === 0) {
    return null;
  }
  return sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)];
}

function parseArguments(list) {
  const parsed = {};
  for (let i = 0; i < list.length; i += 2) {
    if (!list[i].startsWith("--") || i + 1 >= list.length) {
      fail(`Invalid arguments near '${list[i]}': expected --name value pairs.`);
    }
    parsed[list[i].slice(2)] = list[i + 1];
  }
  return parsed;
}

function numberArgument(name, fallback) {
  const text = args[name];
  if (text === undefined && fallback !== undefined) {
    return fallback;
  }
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    fail(`Invalid value '${text}' for --${name}: expected a positive number.`);
  }
  return value;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}
