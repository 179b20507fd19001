// dalbench run: provision stores, run the scenarios on every profile, write results.json — first,
// always — then, with budgets (--budgets or defaults.budgets), judge it and write report.html,
// summary.md and junit.xml. Exit 0 pass; 1 budget breach; 2 error: a scenario errored or is
// incomplete (unless --allow-errors), the run was interrupted (SIGINT or SIGTERM), or a budget could
// not be judged. The work lives in harness/run; this file maps flags, signals and output.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { confirmOutcomes } from '../../budgets/confirm.ts';
import { evaluateBudgetOutcomes, type EvaluateOptions } from '../../budgets/evaluate.ts';
import { runExitCode } from '../../budgets/exit-code.ts';
import { assertBudgetNamesKnown, selectionOf } from '../../budgets/in-run.ts';
import { loadBudgetSet } from '../../budgets/load.ts';
import type { BudgetSet } from '../../budgets/schema.ts';
import { provisionStores } from '../../provision/create-provisioner.ts';
import type { Results, Verdict } from '../../results/schema.ts';
import { writeResults } from '../../report/results-io.ts';
import { writeReports } from '../../report/write.ts';
import { loadConfigFile } from '../../run/config.ts';
import { RunInterrupted } from '../../run/interrupted.ts';
import { defaultOutDir, linkLatest } from '../../run/output-dir.ts';
import { progressPrinter } from '../../run/progress.ts';
import { FlagError, resolvePlan, runCatalogue, type RunFlags } from '../../run/resolve-plan.ts';
import { describeStep, loadFaultPlan, type FaultPlan } from '../../faults/plan.ts';
import { runBenchmark, storeKinds, type RunHooks } from '../../run/run-benchmark.ts';
import type { RunPlan } from '../../run/run-plan.ts';
import { borrowStores } from '../../run/shared-stores.ts';
import { summaryTable } from '../../run/summary-table.ts';
import { parseScales } from '../../data/scale.ts';
import { memoryForScales, parseStoreMemory } from '../../provision/store-memory.ts';
import { loadNoise } from '../../stats/noise.ts';
import { printError } from '../print-error.ts';
import type { CliIo, RegisterCommand } from '../io.ts';
import { BUDGET_FLAG_HELP, parseErrorShare } from './budget-flags.ts';

interface Flags extends RunFlags {
  out?: string;
  storeMemory?: string;
  budgets?: string;
  confirm?: string;
  skippedAsFail?: boolean;
  allowErrors?: boolean;
  allowInconclusive?: boolean;
  maxErrorShare?: string;
  noise?: string;
  faults?: string;
  json?: boolean;
  config?: string;
}

/** The conventional exit code of a process ended by a signal: 128 + its number. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export const registerRunCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('run')
    .description('run the ADR-024 scenarios against every storage profile on real stores')
    .option('--scenario <names>', 'comma-separated scenarios (default: all)')
    .option(
      '--profile <names>',
      'comma-separated profiles (default: polyglot,single-postgres,polyglot-nocache)',
    )
    .option('--stores <mode>', 'auto | local | docker | external (default: $DALBENCH_STORES or auto)')
    .option('--duration <time>', 'measure phase per scenario, e.g. 30s')
    .option(
      '--warmup <time|stable[:cap]>',
      'warmup per scenario (not recorded), e.g. 2s; `stable` warms up until the p50 settles (cap 60s, or stable:CAP)',
    )
    .option('--rate <n>', 'open loop: operations per second (dal driver only)')
    .option('--concurrency <n>', 'closed loop: concurrent workers')
    .option('--seed <n>', 'run seed (printed; replays the same operation sequence)')
    .option('--quick', 'small data and short phases: the whole suite in under 3 minutes')
    .option('--out <dir>', 'output directory (default reports/<timestamp>, and reports/latest)')
    .option('--shard <i/N>', 'run the i-th of N shares of the load (dal driver only)')
    .option('--repeat <n>', 'run each scenario N times, profiles interleaved A B A B …')
    .option(
      '--scale <sizes>',
      'data sizes to sweep, e.g. xs,s,m or 2.5 (× s): each scenario × profile at every size; results keyed scenario@size, crossover in the report',
    )
    .option(
      '--driver <driver>',
      'dal | http | both (http: through `dalbench serve` via autocannon, closed loop); each driver is judged on its own',
    )
    .option(
      '--budgets <set>',
      'evaluate a budget set (adr-024 or a file; default: defaults.budgets) and write reports',
    )
    .option(
      '--confirm <k>',
      'a failing or inconclusive relative budget re-runs its scenario × profiles K times and is judged on all runs pooled',
    )
    .option('--skipped-as-fail', BUDGET_FLAG_HELP.skippedAsFail)
    .option('--allow-inconclusive', BUDGET_FLAG_HELP.allowInconclusive)
    .option(
      '--allow-errors',
      'errored or incomplete scenarios do not make the run exit 2 (the old behaviour)',
    )
    .option('--max-error-share <share>', BUDGET_FLAG_HELP.maxErrorShare)
    .option('--noise <file>', BUDGET_FLAG_HELP.noise)
    .option(
      '--faults <file>',
      'a fault plan (.yaml, .json, .ts) run beside every measure phase: kill/pause (local stores), cut/delay/drop/throttle',
    )
    .option(
      '--store-memory <sizes>',
      'memory of the stores dalbench starts, e.g. postgres.shared_buffers=1GB,postgres.work_mem=32MB,elasticsearch.heap=2GB (default: by the largest --scale)',
    )
    .option(
      '--no-equal-memory',
      'local stores: do not restart PostgreSQL per profile to give every profile the same memory in total (shared_buffers + Elasticsearch heap)',
    )
    .option(
      '--reuse-data',
      'keep the data read-only scenarios load (metrics-query, experiment-search) and reuse it when scenario, size, seed, profile and schema are the same',
    )
    .option('--config <file>', 'config file (default ./dalbench.config.ts when present)')
    .option('--json', 'plain progress lines and a JSON summary on stdout')
    .action(async (flags: Flags) => {
      // Everything that can be refused is refused here, before any store starts or signal listener
      // goes on (a throw after it would leave the listener registered).
      const config = await loadConfigFile(flags.config);
      const plan = withFaultPlan(
        resolvePlan(
          // Commander defaults a lone --no-X to true: only an explicit --no-equal-memory may override the config.
          { ...flags, equalMemory: flags.equalMemory === false ? false : undefined },
          config,
          () => randomInt(0, 2 ** 31 - 1),
          io.env,
        ),
        flags.faults === undefined ? undefined : await loadFaultPlan(flags.faults),
      );
      const bySize = memoryForScales(flags.scale === undefined ? undefined : parseScales(flags.scale));
      const memory = flags.storeMemory === undefined ? bySize : parseStoreMemory(flags.storeMemory, bySize);
      // A blank value is not 0 (Number('') is).
      const confirm =
        flags.confirm === undefined ? 0 : flags.confirm.trim() === '' ? NaN : Number(flags.confirm);
      if (!Number.isInteger(confirm) || confirm < 0 || confirm > 20)
        throw new Error(`--confirm: expected an integer from 0 to 20, got "${flags.confirm}"`);
      const maxErrorShare =
        flags.maxErrorShare === undefined
          ? undefined
          : parseErrorShare('--max-error-share', flags.maxErrorShare);
      const budgetsName = flags.budgets ?? config?.defaults.budgets;
      const budgets = budgetsName ? await loadBudgetSet(budgetsName) : undefined;
      if (confirm > 0 && !budgets) throw new Error('--confirm needs --budgets');
      const catalogue = runCatalogue(config);
      // A scenario or profile name no run could select is a typo: say so now, not after the run.
      if (budgets) assertBudgetNamesKnown(budgets, catalogue);
      const noise = flags.noise ? await loadNoise(flags.noise) : undefined;
      const startedAt = new Date();
      const outDir = flags.out ? path.resolve(flags.out) : defaultOutDir(startedAt);
      const print = progressPrinter((t) => io.err(t), io.isTty && !flags.json);
      io.err(`dalbench run: seed ${plan.seed} (replay with --seed ${plan.seed})\n`);
      if (plan.reuseData && flags.seed === undefined && config?.defaults.seed === undefined) {
        io.err(
          `dalbench run: --reuse-data without --seed: data is reused by the repeats of this run only; give --seed ${plan.seed} to reuse it in later runs\n`,
        );
      }

      let results: Results | undefined;
      let verdicts: Verdict[] | undefined;
      let budgetError: unknown;
      let file: string | undefined;
      await withInterrupts(io, async (signal) => {
        // Stores come up once and serve the run and any confirmation re-runs.
        await using stores = await provisionStores(
          plan.stores,
          storeKinds(plan.profiles),
          (line) => print({ type: 'log', line }),
          { env: io.env, memory },
        );
        const hooks: RunHooks = {
          signal,
          onEvent: print,
          provision: () => Promise.resolve(borrowStores(stores)),
        };
        results = await runBenchmark(plan, hooks);
        // results.json first, always: nothing a budget does may lose the measurements.
        file = await writeResults(outDir, results);
        if (!flags.out) await linkLatest(outDir);
        if (!budgets) return;
        try {
          verdicts = await judge(results, budgets, {
            plan,
            hooks,
            confirm,
            io,
            options: {
              selection: selectionOf(results, catalogue),
              ...(noise ? { noise } : {}),
              ...(maxErrorShare === undefined ? {} : { maxErrorShare }),
            },
          });
        } catch (error) {
          budgetError = error;
        }
      });
      // withInterrupts rethrows whatever stopped the run before its results were written.
      if (!results || !file) throw new Error('dalbench run: the run ended without results');
      const final = verdicts ? { ...results, verdicts } : results;
      if (verdicts) {
        await writeResults(outDir, final);
        await writeReports(final, outDir, { verdicts, env: io.env });
      }
      const exit = runExitCode(final, verdicts, {
        skippedAsFail: flags.skippedAsFail ?? false,
        allowInconclusive: flags.allowInconclusive ?? false,
        allowErrors: flags.allowErrors ?? false,
      });
      if (flags.json) {
        io.out(
          `${JSON.stringify({ results: file, seed: plan.seed, status: final.run.status, problems: exit.problems, verdicts: verdicts ?? null })}\n`,
        );
      } else {
        io.out(
          `\n${summaryTable(final)}\nseed ${plan.seed}\nwrote ${file}${verdicts ? ` and report.html, summary.md, junit.xml` : ''}\n`,
        );
      }
      for (const problem of exit.problems) io.err(`${problem}\n`);
      if (exit.problems.length > 0 && final.run.status === 'complete')
        io.err('(errored or incomplete scenarios make the run exit 2; --allow-errors ignores them)\n');
      if (budgetError !== undefined) {
        setExit(printError(io, 'dalbench', budgetError));
      }
      setExit(exit.code);
    });
};

interface JudgeContext {
  plan: RunPlan;
  hooks: RunHooks;
  confirm: number;
  io: CliIo;
  options: EvaluateOptions;
}

/** Budgets over the written results, with `--confirm K` re-runs on the same stores. */
async function judge(results: Results, budgets: BudgetSet, ctx: JudgeContext): Promise<Verdict[]> {
  const { plan, hooks, confirm, io, options } = ctx;
  const outcomes = evaluateBudgetOutcomes(results, budgets, options);
  if (confirm === 0) return outcomes.map((o) => o.verdict);
  const judged = await confirmOutcomes(results, outcomes, {
    ...options,
    confirm,
    rerun: async ({ scenario, profiles, driver, times }) => {
      io.err(`confirming ${scenario} on ${profiles.join(' vs ')} (${driver}): ${times} more runs\n`);
      const again = await runBenchmark(
        {
          ...plan,
          scenarios: plan.scenarios.filter((e) => e.scenario.name === scenario),
          profiles: plan.profiles.filter((p) => profiles.includes(p.name)),
          // Each profile keeps the memory it had in the run it is pooled with.
          memoryProfiles: plan.profiles,
          driver,
          repeat: times,
        },
        hooks,
      );
      return again.scenarios;
    },
  });
  return judged.map((o) => o.verdict);
}

/**
 * Run `work` with SIGINT and SIGTERM handled alike: the first stops the current scenario (partial
 * results are written, marked incomplete); a second leaves at once through `io.exit` (128 + signal).
 * While we listen, the local provisioner leaves its stores to us (cleanup-hooks.ts), its 'exit' hook
 * still kills them if the process ends before they are stopped.
 */
async function withInterrupts(io: CliIo, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) {
      io.err(`\n${signal} again: exiting without results\n`);
      io.exit(SIGNAL_EXIT[signal]);
      return;
    }
    io.err(`\n${signal}: stopping the current scenario, writing partial results…\n`);
    controller.abort(new RunInterrupted(signal));
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigterm);
  }
}

/** The run with `--faults`' plan; recorded in the run's config as one line per step. */
function withFaultPlan(plan: RunPlan, faults: FaultPlan | undefined): RunPlan {
  if (!faults) return plan;
  if (plan.driver === 'http')
    throw new FlagError('--faults applies to the dal driver; --driver http runs none of its measure phases');
  return Object.freeze({
    ...plan,
    faults,
    config: { ...plan.config, faults: { source: faults.source, steps: faults.steps.map(describeStep) } },
  });
}
