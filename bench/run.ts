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

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((arg) => arg.startsWith('--only'));
const only = onlyArg ? (onlyArg.split('=')[1] ?? args[args.indexOf(onlyArg) + 1] ?? '').split(',') : null;
const wanted = (name: string) => !only || only.includes(name);
/** `--profile`: the Parley server runs under `--cpu-prof`; each profile is summarised after its run. */
const profileDir = args.includes('--profile') ? 'bench/results/profiles' : null;
/** `--server-node-args=--max-semi-space-size=32,--trace-gc`: more options for Node in every server process. */
const extraNodeArgs = args
  .find((arg) => arg.startsWith('--server-node-args='))
  ?.slice('--server-node-args='.length);
/** `--server-output`: every Parley server's stdout and stderr also go whole to bench/results/server-output/. */
if (args.includes('--server-output')) process.env.BENCH_SERVER_OUTPUT = 'bench/results/server-output';
const serverNodeArgs = [
  ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ...(extraNodeArgs ? extraNodeArgs.split(',') : []),
];

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
  const sizesArg = args.find((arg) => arg.startsWith('--subscribers='))?.split('=')[1];
  const sizes = sizesArg
    ? base.sizes.filter((size) => sizesArg.split(',').map(Number).includes(size.subscribers))
    : base.sizes;
  const options = { ...base, sizes, serverNodeArgs, loopWatch: args.includes('--loop-watch') };
  problems.push(...(await runFanout(options)).problems);
}
if (wanted('readers')) {
  // `--readers=300`: fewer readers than the scenario's 1,000 (a busy shared machine cannot serve them all).
  const readersArg = args.find((arg) => arg.startsWith('--readers='))?.split('=')[1];
  const base = quick ? quickReaders : fullReaders;
  const options = { ...base, readers: readersArg ? Number(readersArg) : base.readers, serverNodeArgs };
  problems.push(...(await runReaders(options)).problems);
}
if (wanted('conversations')) {
  // `--rates=200,400 --step-ms=10000`: other steps than the scenario's (a profile of one rate held longer).
  const ratesArg = args.find((arg) => arg.startsWith('--rates='))?.split('=')[1];
  const stepMsArg = args.find((arg) => arg.startsWith('--step-ms='))?.split('=')[1];
  const base = quick ? quickConversations : fullConversations;
  const options = {
    ...base,
    rates: ratesArg ? ratesArg.split(',').map(Number) : base.rates,
    stepMs: stepMsArg ? Number(stepMsArg) : base.stepMs,
    serverNodeArgs,
    loopWatch: args.includes('--loop-watch'),
  };
  problems.push(...(await runConversations(options)).problems);
}
if (wanted('connections')) {
  const base = quick ? quickConnections : fullConnections;
  // `--sockets=3000`: another number of sockets than the scenario's.
  const socketsArg = args.find((arg) => arg.startsWith('--sockets='))?.split('=')[1];
  // `--tabs`: each socket also opens its notifications, as a web tab does.
  const sockets = socketsArg ? Number(socketsArg) : base.sockets;
  const options = { ...base, sockets, tabs: args.includes('--tabs'), serverNodeArgs };
  problems.push(...(await runConnections(options)).problems);
}
if (wanted('ingest')) {
  problems.push(...(await runIngest({ ...(quick ? quickIngest : fullIngest), serverNodeArgs })).problems);
}
if (profileDir) for (const file of newProfiles(profileDir)) summariseProfile(file);
// `--people-only`: users.search alone, without filling the million messages (most of the scenario's minutes).
if (wanted('search')) await runSearchBench({ quick, messages: !args.includes('--people-only') });

if (problems.length) {
  console.error(`\nCorrectness problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
