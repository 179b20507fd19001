// dalbench run: provision stores, run the scenarios on every profile, write results.json (and,
// with --budgets, report.html/summary.md/junit.xml). Exit 0 pass, 1 budget breach, 2 error or
// incomplete (Ctrl-C). The work lives in harness/run; this file maps flags and output.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { exitCodeFor } from '../../budgets/exit-code.ts';
import { confirmOutcomes } from '../../budgets/confirm.ts';
import { evaluateBudgetOutcomes } from '../../budgets/evaluate.ts';
import { provisionStores } from '../../provision/create-provisioner.ts';
import { borrowStores } from '../../run/shared-stores.ts';
import { loadBudgetSet } from '../../budgets/load.ts';
import { writeResults } from '../../report/results-io.ts';
import { writeReports } from '../../report/write.ts';
import { loadConfigFile } from '../../run/config.ts';
import { defaultOutDir, linkLatest } from '../../run/output-dir.ts';
import { progressPrinter } from '../../run/progress.ts';
import { resolvePlan, type RunFlags } from '../../run/resolve-plan.ts';
import { runBenchmark, storeKinds } from '../../run/run-benchmark.ts';
import { summaryTable } from '../../run/summary-table.ts';
import { EXIT, type RegisterCommand } from '../io.ts';

interface Flags extends RunFlags {
  out?: string;
  budgets?: string;
  confirm?: string;
  skippedAsFail?: boolean;
  json?: boolean;
  config?: string;
}

export const registerRunCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('run')
    .description('run the ADR-024 scenarios against every storage profile on real stores')
    .option('--scenario <names>', 'comma-separated scenarios (default: all)')
    .option(
      '--profile <names>',
      'comma-separated profiles (default: polyglot,single-postgres,polyglot-nocache)',
    )
    .option('--stores <mode>', 'auto | local | docker | external (default auto)')
    .option('--duration <time>', 'measure phase per scenario, e.g. 30s')
    .option('--warmup <time>', 'warmup per scenario (not recorded), e.g. 2s')
    .option('--rate <n>', 'open loop: operations per second')
    .option('--concurrency <n>', 'closed loop: concurrent workers')
    .option('--seed <n>', 'run seed (printed; replays the same operation sequence)')
    .option('--quick', 'small data and short phases: the whole suite in under 3 minutes')
    .option('--out <dir>', 'output directory (default reports/<timestamp>, and reports/latest)')
    .option('--shard <i/N>', 'run the i-th of N shares of the load')
    .option('--repeat <n>', 'run each scenario N times, profiles interleaved A B A B …')
    .option('--driver <driver>', 'dal | http | both (http: through `dalbench serve` via autocannon)')
    .option('--budgets <set>', 'evaluate a budget set (adr-024 or a file) and write reports')
    .option(
      '--confirm <k>',
      'a failing relative budget re-runs its scenario × profiles K times and fails only if it holds',
    )
    .option('--skipped-as-fail', 'a budget that could not be evaluated fails (exit 1) instead of exit 2')
    .option('--config <file>', 'config file (default ./dalbench.config.ts when present)')
    .option('--json', 'plain progress lines and a JSON summary on stdout')
    .action(async (flags: Flags) => {
      const config = await loadConfigFile(flags.config);
      const plan = resolvePlan(flags, config, () => randomInt(0, 2 ** 31 - 1));
      const budgets = flags.budgets ? await loadBudgetSet(flags.budgets) : undefined;
      // Checked before the SIGINT listener goes on: a throw after it would leave the listener registered.
      const confirm = flags.confirm === undefined ? 0 : Number(flags.confirm);
      if (!Number.isInteger(confirm) || confirm < 0 || confirm > 20)
        throw new Error(`--confirm: expected an integer from 0 to 20, got "${flags.confirm}"`);
      if (confirm > 0 && !budgets) throw new Error('--confirm needs --budgets');
      const startedAt = new Date();
      const outDir = flags.out ? path.resolve(flags.out) : defaultOutDir(startedAt);
      const print = progressPrinter((t) => io.err(t), io.isTty && !flags.json);
      io.err(`dalbench run: seed ${plan.seed} (replay with --seed ${plan.seed})\n`);

      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        if (++interrupts > 1) {
          // A second Ctrl-C: leave now; the provisioner's exit hook still kills the stores.
          io.err('\ninterrupted again: exiting without results\n');
          process.exit(130);
        }
        io.err('\ninterrupted: stopping the current scenario, writing partial results…\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      let results;
      let verdicts;
      try {
        // Stores come up once and serve the run and any confirmation re-runs.
        await using stores = await provisionStores(plan.stores, storeKinds(plan.profiles), (line) =>
          print({ type: 'log', line }),
        );
        const hooks = {
          signal: controller.signal,
          onEvent: print,
          provision: () => Promise.resolve(borrowStores(stores)),
        };
        results = await runBenchmark(plan, hooks);
        if (budgets) {
          const outcomes = evaluateBudgetOutcomes(results, budgets);
          const judged =
            confirm > 0
              ? await confirmOutcomes(results, outcomes, {
                  confirm,
                  rerun: async ({ scenario, profiles, times }) => {
                    io.err(`confirming ${scenario} on ${profiles.join(' vs ')}: ${times} more runs\n`);
                    const again = await runBenchmark(
                      {
                        ...plan,
                        scenarios: plan.scenarios.filter((e) => e.scenario.name === scenario),
                        profiles: plan.profiles.filter((p) => profiles.includes(p.name)),
                        repeat: times,
                      },
                      hooks,
                    );
                    return again.scenarios;
                  },
                })
              : outcomes;
          verdicts = judged.map((o) => o.verdict);
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
      const final = verdicts ? { ...results, verdicts } : results;
      const file = await writeResults(outDir, final);
      if (!flags.out) await linkLatest(outDir);
      if (verdicts) await writeReports(final, outDir, { verdicts, env: io.env });

      if (flags.json) {
        io.out(
          `${JSON.stringify({ results: file, seed: plan.seed, status: final.run.status, verdicts: verdicts ?? null })}\n`,
        );
      } else {
        io.out(
          `\n${summaryTable(final)}\nseed ${plan.seed}\nwrote ${file}${verdicts ? ` and report.html, summary.md, junit.xml` : ''}\n`,
        );
      }
      if (final.run.status === 'incomplete') {
        io.err(`run incomplete: ${final.run.incompleteReason ?? ''}\n`);
        setExit(EXIT.error);
      } else if (verdicts) {
        setExit(exitCodeFor(verdicts, { skippedAsFail: flags.skippedAsFail ?? false }));
      }
    });
};
