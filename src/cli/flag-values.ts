/**
 * What yargs lets through, checked before anything runs: yargs reads `--dry-run=yes` as false and
 * keeps only the last of two boolean flags, takes the default for `--rate` with no value, turns
 * `--rate 5 --rate 50` into an array, and would echo a secret given as `--client-secret VALUE` in
 * its "Unknown argument" line. The boolean flags and the secrets are read from the raw tokens,
 * before yargs; every other flag from what yargs parsed. Each problem is one line naming the flag.
 */
import { OPTION_SPECS, secretHome, type FlagName, type OptionSpec, type RawFlags } from './option-table.js';

/** A usage error, as one line for the person at the terminal. */
export interface UsageProblem {
  readonly usageError: string;
}

/** The values the raw tokens gave the boolean flags. */
export type BooleanFlags = Partial<Record<FlagName, boolean>>;

/** `--dryRun` is `dry-run`, as yargs reads it. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function isBoolean(name: string): name is FlagName {
  return name in OPTION_SPECS && (OPTION_SPECS[name as FlagName] as OptionSpec).type === 'boolean';
}

/** One boolean flag as written: which flag, its value, and how many tokens it took. */
interface BooleanToken {
  readonly name: FlagName;
  readonly value: boolean;
  readonly written: string;
  readonly tokens: number;
}

/** Read the boolean flag at `args[i]`, if it is one; a string is the usage error in it. */
function booleanAt(args: readonly string[], i: number): BooleanToken | string | undefined {
  const token = args[i] as string;
  const eq = token.indexOf('=');
  const written = token.slice(2, eq === -1 ? undefined : eq);
  let name = kebab(written);
  const negated = !isBoolean(name) && name.startsWith('no-') && isBoolean(name.slice(3));
  if (negated) name = name.slice(3);
  if (!isBoolean(name)) return undefined;
  if (eq !== -1) {
    const given = token.slice(eq + 1);
    if (negated) return `\`--${written}\` takes no value, got \`${given}\``;
    if (given !== 'true' && given !== 'false') {
      return `\`--${name}\` takes no value, or exactly \`true\` or \`false\`; got \`${given}\``;
    }
    return { name, value: given === 'true', written: token, tokens: 1 };
  }
  const next = args[i + 1];
  if (!negated && (next === 'true' || next === 'false')) {
    return { name, value: next === 'true', written: `${token} ${next}`, tokens: 2 };
  }
  return { name, value: !negated, written: token, tokens: 1 };
}

/**
 * The boolean flags' values from the raw tokens (up to `--`), or the usage error: a flag naming a
 * secret (refused without its value), a boolean flag with any value but `true`/`false`, or one
 * given twice with different values.
 */
export function scanBooleanFlags(args: readonly string[]): BooleanFlags | UsageProblem {
  const seen = new Map<FlagName, BooleanToken>();
  for (let i = 0; i < args.length && args[i] !== '--'; i++) {
    const token = args[i] as string;
    if (!token.startsWith('--')) continue;
    const written = token.slice(2).split('=')[0] as string;
    const home = secretHome(written);
    if (home !== undefined) {
      return {
        usageError:
          `Unknown argument \`--${written}\`: a secret is never given on the command line ` +
          `(it would show in ps and the shell history); use ${home}`,
      };
    }
    const flag = booleanAt(args, i);
    if (typeof flag === 'string') return { usageError: flag };
    if (flag === undefined) continue;
    const before = seen.get(flag.name);
    if (before !== undefined && before.value !== flag.value) {
      return {
        usageError: `\`--${flag.name}\` is given twice with different values (\`${before.written}\`, then \`${flag.written}\`); give it once`,
      };
    }
    seen.set(flag.name, flag);
    i += flag.tokens - 1;
  }
  return Object.fromEntries([...seen].map(([name, flag]) => [name, flag.value]));
}

/** What a flag takes, for a message about a missing value: `: a number from 0 to 10000`, or nothing. */
function takes(spec: OptionSpec | undefined): string {
  if (spec?.range) {
    const { integer, min, max } = spec.range;
    return `: ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  }
  if (spec?.choices) return `: one of ${spec.choices.join(', ')}`;
  return spec?.type === 'number' ? ': a number' : '';
}

/**
 * The one value yargs parsed for a flag that takes a value, or the usage error: no value (`--rate`
 * at the end of the line or before another flag, `--out=`), `--no-` before it, or two different values.
 */
export function singleValue(
  name: string,
  parsed: unknown,
  spec: OptionSpec | undefined,
): string | number | undefined | UsageProblem {
  const values = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (parsed === undefined && values.length === 1) return undefined;
  for (const value of values) {
    if (value === false) {
      return { usageError: `\`--no-${name}\` is not an option: only on/off flags have a --no- form` };
    }
    if (value === true || value === '' || value === undefined) {
      return { usageError: `\`--${name}\` needs a value${takes(spec)}` };
    }
  }
  const distinct = [...new Set(values.map(String))];
  if (distinct.length > 1) {
    return {
      usageError: `\`--${name}\` is given twice with different values (${distinct.map((v) => `\`${v}\``).join(', then ')}); give it once`,
    };
  }
  return values[0] as string | number;
}

/** Every flag the command line gave, checked as above: booleans from the raw tokens, the rest from yargs. */
export function flagValues(argv: Record<string, unknown>, booleans: BooleanFlags): RawFlags | UsageProblem {
  const flags: RawFlags = { ...booleans };
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [FlagName, OptionSpec][]) {
    if (spec.type === 'boolean') continue;
    const value = singleValue(name, argv[name], spec);
    if (typeof value === 'object') return value;
    if (value !== undefined) flags[name] = value;
  }
  return flags;
}
