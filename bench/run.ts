/**
 * `npm run bench`: every scenario, each against a baseline measured in the same run, tables on stdout and JSON in
 * bench/results/. `npm run bench -- --quick` runs each one small (CI does, to keep the suite working, and checks
 * that nothing was lost or repeated, never timings). `--only fanout,search` picks scenarios.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fullConnections, quickConnections, runConnections } from './connections.ts';
import { fullConversations, quickConversations, runConversations } from './conversations.ts';
import { fullFanout, quickFanout, runFanout } from './fanout.ts';
import { runHostProbe } from './host.ts';
import { fullIngest, quickIngest, runIngest } from './ingest.ts';
import { commandLine, numberArg, numbersArg } from './lib/command-line.ts';
import { summariseProfile } from './profile-summary.ts';
import { fullReaders, quickReaders, runReaders } from './readers.ts';
import { runSearchBench } from './search.ts';

const startedAt = Date.now();
const newProfiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.cpuprofile') && statSync(join(dir, name)).mtimeMs >= startedAt)
        .map((name) => join(dir, name))
    : [];

const { values: options } = commandLine({
  quick: { type: 'boolean' },
  only: { type: 'string' },
  profile: { type: 'boolean' },
  'server-node-args': { type: 'string' },
  'server-output': { type: 'boolean' },
  'loop-watch': { type: 'boolean' },
  subscribers: { type: 'string' },
  readers: { type: 'string' },
  rates: { type: 'string' },
  'step-ms': { type: 'string' },
  sockets: { type: 'string' },
  tabs: { type: 'boolean' },
  'people-only': { type: 'boolean' },
});
const quick = options.quick === true;
const scenarios = ['host', 'fanout', 'readers', 'conversations', 'connections', 'ingest', 'search'];
const only = options.only?.split(',') ?? null;
const unknown = only?.filter((name) => !scenarios.includes(name)) ?? [];
if (unknown.length) {
  console.error(`No scenario called ${unknown.join(', ')}: --only takes ${scenarios.join(', ')}.`);
  process.exit(2);
}
const wanted = (name: string) => !only || only.includes(name);
/** `--profile`: the Parley server runs under `--cpu-prof`; each profile is summarised after its run. */
const profileDir = options.profile ? 'bench/results/profiles' : null;
/** `--server-output`: every Parley server's stdout and stderr also go whole to bench/results/server-output/. */
if (options['server-output']) process.env.BENCH_SERVER_OUTPUT = 'bench/results/server-output';
/** `--server-node-args=--max-semi-space-size=32,--trace-gc`: more options for Node in every server process. */
const serverNodeArgs = [
  ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ...(options['server-node-args']?.split(',') ?? []),
];
const loopWatch = options['loop-watch'] === true;

const problems: string[] = [];
// First, so every run's figures can be read against what this host charges for work after idle (`--only host`
// alone). It only describes the host: a failure is reported and the scenarios still run.
if (wanted('host'))
  await runHostProbe({ runs: quick ? 20 : 100 }).catch((error: Error) =>
    console.error(`\nhost probe failed: ${error.message}`),
  );
if (wanted('fanout')) {
  const base = quick ? quickFanout : fullFanout;
  // `--subscribers=1000`: only the sizes named.
  const named = numbersArg(options.subscribers, '--subscribers');
  const sizes = named ? base.sizes.filter((size) => named.includes(size.subscribers)) : base.sizes;
  problems.push(...(await runFanout({ ...base, sizes, serverNodeArgs, loopWatch })).problems);
}
if (wanted('readers')) {
  // `--readers=300`: fewer readers than the scenario's 1,000 (a busy shared machine cannot serve them all).
  const base = quick ? quickReaders : fullReaders;
  const readers = numberArg(options.readers, base.readers, '--readers');
  problems.push(...(await runReaders({ ...base, readers, serverNodeArgs })).problems);
}
if (wanted('conversations')) {
  // `--rates=200,400 --step-ms=10000`: other steps than the scenario's (a profile of one rate held longer).
  const base = quick ? quickConversations : fullConversations;
  const rates = numbersArg(options.rates, '--rates') ?? base.rates;
  const stepMs = numberArg(options['step-ms'], base.stepMs, '--step-ms');
  problems.push(...(await runConversations({ ...base, rates, stepMs, serverNodeArgs, loopWatch })).problems);
}
if (wanted('connections')) {
  const base = quick ? quickConnections : fullConnections;
  // `--sockets=3000`: another number of sockets than the scenario's.
  const sockets = numberArg(options.sockets, base.sockets, '--sockets');
  // `--tabs`: each socket also opens its notifications, as a web tab does.
  const tabs = options.tabs === true;
  problems.push(...(await runConnections({ ...base, sockets, tabs, serverNodeArgs })).problems);
}
if (wanted('ingest')) {
  problems.push(...(await runIngest({ ...(quick ? quickIngest : fullIngest), serverNodeArgs })).problems);
}
if (profileDir) for (const file of newProfiles(profileDir)) summariseProfile(file);
// `--people-only`: users.search alone, without filling the million messages (most of the scenario's minutes).
if (wanted('search')) await runSearchBench({ quick, messages: !options['people-only'] });

if (problems.length) {
  console.error(`\nCorrectness problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
