/**
 * Issue 13, "Done when": random argument lists built from the option table (values valid and not,
 * repeated, missing, `=value` forms), each run through `main` in this process against the
 * simulator. For every one: the exit code is 0, 1 or 2; an exit 2 says at most one line; and
 * nothing is sent unless the arguments were valid, as the option table alone decides it.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OPTION_SPECS, type FlagName, type OptionSpec } from '../../src/cli/option-table.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { SIM_TOKEN, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';
import { runMain } from './in-process.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

/** One flag as written on the line: its tokens, and what the option table says of it. */
interface Occurrence {
  readonly name: FlagName;
  readonly tokens: readonly string[];
  /** Whether the table accepts the value (or its absence) as written. */
  readonly ok: boolean;
  /** The value it gives, to tell a repeat with the same value from one with another. */
  readonly value: string | undefined;
}

/**
 * Text values for the flags whose values the table cannot make up: the simulator's addresses
 * (a real address would send to the internet), files of the run's folder (`{dir}` and `{input}`
 * are filled in per run, the input itself among them so that clashes are tried too).
 */
const TEXT_VALUES: Partial<Record<FlagName, readonly string[]>> = {
  tenant: ['portal.cloudcockpit.com'],
  'base-url': ['{sim}', 'http://api.example.com', 'not a url'],
  'token-url': ['{sim}/token', 'http://login.example.com/token'],
  out: ['{dir}/results.csv', '{input}', '{dir}/results.xlsx'],
  'log-file': ['{dir}/run.log', '{input}', '{dir}/results.csv'],
  'summary-json': ['{dir}/summary.json', '{input}', '{dir}/run.log'],
  config: ['{dir}/settings.json'],
  'env-file': ['{dir}/bulk.env'],
  'client-secret-file': ['{dir}/secret.txt'],
  'token-file': ['{dir}/token.txt'],
  'max-failures': ['1', '50%', '0%'],
};

/** Values a number option's range accepts, and values it does not. */
function numberValues(spec: OptionSpec): { valid: string[]; invalid: string[] } {
  const { min, max, integer, default: fallback } = spec.range!;
  return {
    valid: [min, max, fallback].map(String),
    invalid: [String(min - 1), String(max + 1), 'abc', '1e999', ...(integer ? [String(min + 0.5)] : [])],
  };
}

/** The ways to write a boolean flag: no value, `=true`/`=false`, a following word, `--no-`, and junk. */
function booleanOccurrence(name: FlagName): fc.Arbitrary<Occurrence> {
  const forms: Occurrence[] = [
    { name, tokens: [`--${name}`], ok: true, value: 'true' },
    { name, tokens: [`--${name}=true`], ok: true, value: 'true' },
    { name, tokens: [`--${name}=false`], ok: true, value: 'false' },
    { name, tokens: [`--${name}`, 'false'], ok: true, value: 'false' },
    { name, tokens: [`--no-${name}`], ok: true, value: 'false' },
    ...['yes', '1', 'on', 'TRUE', 'maybe', ''].map((junk) => ({
      name,
      tokens: [`--${name}=${junk}`],
      ok: false,
      value: junk,
    })),
  ];
  return fc.constantFrom(...forms);
}

/** The ways to write a flag that takes a value: `--x v`, `--x=v`, and with no value at all. */
function valuedOccurrence(name: FlagName, spec: OptionSpec): fc.Arbitrary<Occurrence> {
  const { valid, invalid } = spec.range
    ? numberValues(spec)
    : spec.choices
      ? { valid: [...spec.choices], invalid: ['none', spec.choices[0]!.toUpperCase()] }
      : { valid: [...(TEXT_VALUES[name] ?? ['word'])], invalid: [] };
  const given = (ok: boolean) => (value: string) =>
    fc.constantFrom<Occurrence>(
      { name, tokens: [`--${name}`, value], ok, value },
      { name, tokens: [`--${name}=${value}`], ok, value },
    );
  return fc.oneof(
    fc.constantFrom(...valid).chain(given(true)),
    ...(invalid.length ? [fc.constantFrom(...invalid).chain(given(false))] : []),
    fc.constantFrom<Occurrence>(
      { name, tokens: [`--${name}`], ok: false, value: undefined },
      { name, tokens: [`--${name}=`], ok: false, value: undefined },
    ),
  );
}

function occurrence(name: FlagName): fc.Arbitrary<Occurrence> {
  const spec: OptionSpec = OPTION_SPECS[name];
  return spec.type === 'boolean' ? booleanOccurrence(name) : valuedOccurrence(name, spec);
}

const NAMES = Object.keys(OPTION_SPECS) as FlagName[];

/** A few flags, some of them given again (with the same value or another). */
const argumentLists = fc
  .array(fc.constantFrom(...NAMES), { maxLength: 5 })
  .chain((names) =>
    fc.subarray(names, { maxLength: Math.min(2, names.length) }).map((again) => [...names, ...again]),
  )
  .chain((names) => fc.tuple(...names.map(occurrence)));

/** Valid by the table: every value accepted, and a flag given twice says the same both times. */
function validByTable(occurrences: readonly Occurrence[]): boolean {
  const values = new Map<FlagName, string | undefined>();
  for (const o of occurrences) {
    if (!o.ok) return false;
    if (values.has(o.name) && values.get(o.name) !== o.value) return false;
    values.set(o.name, o.value);
  }
  return true;
}

/** A fresh folder with a one-row input and the files the text values name. */
async function runFolder(): Promise<{ dir: string; input: string }> {
  const dir = await tempDir();
  const input = path.join(dir, 'orders.csv');
  await writePoNumbers(input, 1);
  const secret = async (name: string, text: string) => {
    await writeFile(path.join(dir, name), text);
    await chmod(path.join(dir, name), 0o600);
  };
  await secret('settings.json', '{}');
  await secret('bulk.env', '# nothing here\n');
  await secret('secret.txt', 'not-a-real-secret');
  await secret('token.txt', SIM_TOKEN);
  return { dir, input };
}

test('any argument list exits 0, 1 or 2, says one line for a usage error, and sends only when valid', async () => {
  const env = simEnv(sim.url, { CLOUDCOCKPIT_TOKEN_URL: sim.tokenUrl });
  await fc.assert(
    fc.asyncProperty(argumentLists, async (occurrences) => {
      const { dir, input } = await runFolder();
      const fill = (token: string) =>
        token.replaceAll('{dir}', dir).replaceAll('{input}', input).replaceAll('{sim}', sim.url);
      const args = ['po-numbers', input, ...occurrences.flatMap((o) => o.tokens.map(fill))];
      const before = sim.counters.api;
      const r = await runMain(args, env);
      const sent = sim.counters.api - before;
      const valid = validByTable(occurrences);
      const broken =
        ![0, 1, 2].includes(r.code) ||
        (r.code === 2 && r.lines.length > 1) ||
        (!valid && (r.code !== 2 || sent !== 0));
      if (broken)
        throw new Error(JSON.stringify({ args, valid, code: r.code, sent, stderr: r.lines }, null, 2));
    }),
    { numRuns: 150, seed: 13 },
  );
  expect(sim.counters.api).toBeGreaterThan(0); // some lists were valid and did send
}, 120_000);
