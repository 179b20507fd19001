// dalbench.config.ts: user profiles, scenarios and run defaults. `defineConfig` validates at the edge
// (zod); `loadConfigFile` adds the file name, so an error reads "dalbench.config.ts: profiles[0]: ...".
import { access } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { isProfile, type Profile } from '../../reference-dal/profiles/profile.ts';
import { PROVISION_MODES } from '../provision/provisioner.ts';
import { formatPath, isScenario, type Scenario } from '../workload/scenario.ts';
import { moduleNamespace } from './module-namespace.ts';

export const CONFIG_FILE = 'dalbench.config.ts';

const defaultsSchema = z
  .object({
    scenarios: z.array(z.string().min(1)).optional(),
    profiles: z.array(z.string().min(1)).optional(),
    stores: z.enum(PROVISION_MODES).optional(),
    durationMs: z.number().int().positive().optional(),
    warmupMs: z.number().int().min(0).optional(),
    concurrency: z.number().int().positive().optional(),
    rate: z.number().positive().optional(),
    seed: z.number().int().min(0).optional(),
    repeat: z.number().int().positive().optional(),
    reuseData: z.boolean().optional(),
    equalMemory: z.boolean().optional(),
    budgets: z.string().min(1).optional(),
  })
  .strict();

const configSchema = z
  .object({
    profiles: z
      .array(z.custom<Profile>(isProfile, { message: 'expected a profile made by defineProfile({...})' }))
      .default([]),
    scenarios: z
      .array(
        z.custom<Scenario<unknown>>(isScenario, {
          message: 'expected a scenario made by defineScenario({...})',
        }),
      )
      .default([]),
    defaults: defaultsSchema.default({}),
  })
  .strict();

export type DalbenchConfigInput = z.input<typeof configSchema>;
export type DalbenchConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string | undefined,
    readonly field: string,
    /** What was expected, without the file and field prefix (so a re-throw can add the file). */
    readonly detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file ? `${file}: ` : ''}${field}: ${detail}`, options);
  }
}

export function defineConfig(input: DalbenchConfigInput, file?: string): DalbenchConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(file, formatPath(issue?.path ?? []), issue?.message ?? 'invalid', {
      cause: parsed.error,
    });
  }
  const names = parsed.data.profiles.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(file, 'profiles', `profile "${dup}" defined twice`);
  return parsed.data;
}

/** Load `file` (default ./dalbench.config.ts when it exists); undefined when there is none. */
export async function loadConfigFile(
  file?: string,
  cwd = process.cwd(),
): Promise<DalbenchConfig | undefined> {
  const target = path.resolve(cwd, file ?? CONFIG_FILE);
  if (!file) {
    const exists = await access(target).then(
      () => true,
      () => false,
    );
    if (!exists) return undefined;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(target).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(target, error.field, error.detail, { cause: error });
    throw new ConfigError(target, '(module)', 'could not load the config module', { cause: error });
  }
  const value = moduleNamespace(mod)['default'];
  if (value === undefined)
    throw new ConfigError(target, 'default', 'expected `export default defineConfig({...})`');
  return defineConfig(value as DalbenchConfigInput, target);
}
