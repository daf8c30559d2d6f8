/**
 * `--config FILE`: a JSON object with the same keys as the flags (`{"tenant": "…", "rate": 5}`),
 * for settings a cron job keeps beside its crontab. Secrets are refused here: they belong in the
 * environment or in files of their own. Values sit between the environment and the defaults.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { OPTION_SPECS, secretHome, type FlagName, type RawFlags } from './option-table.js';

/** Flags that make no sense in a config file. */
const NOT_IN_CONFIG = new Set(['config', 'env-file']);

/** Read and check a config file; throws `ConfigError` naming the file and the bad key. */
export async function readConfigFile(file: string): Promise<RawFlags> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read the config file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    throw new ConfigError(`The config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      `The config file ${file} must hold a JSON object such as {"tenant": "portal.example.com", "rate": 5}`,
    );
  }
  const flags: RawFlags = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (secretHome(key) !== undefined) {
      throw new ConfigError(
        `The config file ${file} has "${key}": secrets are not accepted in a config file. ` +
          'Use CLOUDCOCKPIT_CLIENT_SECRET or --client-secret-file (CLOUDCOCKPIT_TOKEN or --token-file for a ready token)',
      );
    }
    if (!(key in OPTION_SPECS) || NOT_IN_CONFIG.has(key)) {
      throw new ConfigError(
        `The config file ${file} has an unknown key "${key}"; keys are the flag names, e.g. "tenant", "max-failures"`,
      );
    }
    const spec = OPTION_SPECS[key as FlagName];
    if (typeof value !== spec.type && !(spec.type === 'number' && typeof value === 'string')) {
      throw new ConfigError(
        `The config file ${file} has "${key}": expected a ${spec.type}, got ${JSON.stringify(value)}`,
      );
    }
    flags[key as FlagName] = value as string | number | boolean;
  }
  return flags;
}
