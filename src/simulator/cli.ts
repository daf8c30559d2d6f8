#!/usr/bin/env node
// Runs the simulator as its own process (for the benchmark and by hand). Prints one JSON line,
// {"url","tokenUrl"}, on stdout once listening, so a parent process can read where it is.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultOptions, mergeOptions, type SimulatorOptions } from './options.js';
import { startSimulator } from './server.js';
import { openWorld, sampleWorld } from './world.js';

const USAGE = `Usage: node dist/simulator/cli.js [options]
  --port N             port to listen on (default 0: a free one)
  --host H             address to listen on (default 127.0.0.1)
  --latency-ms N       delay before answering an API call
  --jitter-ms N        extra random delay, 0..N ms
  --failure-rate F     probability 0..1 of a 500
  --drop-rate F        probability 0..1 of a dropped connection
  --hang-rate F        probability 0..1 of a request never answered
  --not-applied-rate F probability 0..1 that a write which would succeed answers 204 but stores
                       nothing (what a read-back must catch)
  --hang-after-apply-rate F
                       probability 0..1 that a write which would succeed stores its value and is
                       never answered (the client times out on a change that landed)
  --late-apply-ms N    such a write stores its value N ms after its answer would have gone out:
                       beyond the client's timeout, it lands after the client gave up (default 0)
  --read-lag-ms N      reads answer the values as they were N ms before (a lagging replica)
  --rate-limit N       API calls per second before 429 (0: unlimited)
  --retry-after S      Retry-After seconds on 429 (default 1)
  --rate-limit-headers none|ietf|github
                       announce the rate limit in every answer: RateLimit-* (IETF draft, reset
                       in seconds), X-RateLimit-* (GitHub, reset as epoch seconds), or not (default)
  --token-lifetime S   token lifetime in seconds (default 3599)
  --tenant DOMAIN      accepted X-Tenant (default portal.cloudcockpit.com)
  --client-id ID       client id the token endpoint accepts (default sim-client-id)
  --client-secret S    client secret it accepts (default sim-client-secret; a fake, so a flag is fine)
  --seed N             seed for the random knobs
  --world open|sample  which customers exist (default open)
  --seed-values FILE   JSON {"poNumbers": {"<customerId>/<subscriptionId>": "PO-1"},
                       "internalIdentifiers": {"<customerId>/<resellerId or csp>": "ERP-1"}}:
                       the values the world starts with (else a target never written reads null)
  --error-style S      how error answers are written: documented (default), problem-details,
                       gateway-html, plain-text, empty or wrong-types
  --no-record          keep counters only, no request log (long benchmarks)
Reads: GET /v1/customers/{id}/subscriptions/{id}, GET /v1/Customers/{id}[?resellerId=],
  and the paged lists GET /v1/Customers, GET /v1/customers/{id}/subscriptions
  (pageNumber from 1, pageSize 1..2000, default 25)
Admin: GET /_sim/stats, GET /_sim/values, GET|POST /_sim/config, POST /_sim/reset
Only through POST /_sim/config: faultPlan (writes) and readFaultPlan (single reads), each
  {seed, share, maxPerTarget, kinds}; the writes' kinds add not-applied and hang-after-apply`;

const NUMERIC_FLAGS = {
  'latency-ms': 'latencyMs',
  'jitter-ms': 'jitterMs',
  'failure-rate': 'failureRate',
  'drop-rate': 'dropRate',
  'hang-rate': 'hangRate',
  'not-applied-rate': 'notAppliedRate',
  'hang-after-apply-rate': 'hangAfterApplyRate',
  'late-apply-ms': 'lateApplyMs',
  'read-lag-ms': 'readLagMs',
  'rate-limit': 'rateLimit',
  'retry-after': 'retryAfterSeconds',
  'token-lifetime': 'tokenLifetimeSeconds',
  seed: 'seed',
} as const;

function toNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new TypeError(`Expected \`--${flag}\` to be a number, got \`${text}\``);
  }
  return value;
}

function parse(argv: string[]): { options: SimulatorOptions; port: number; host: string; help: boolean } {
  const stringFlag = { type: 'string' } as const;
  const { values: parsed } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: stringFlag,
      host: stringFlag,
      tenant: stringFlag,
      'client-id': stringFlag,
      'client-secret': stringFlag,
      world: stringFlag,
      'error-style': stringFlag,
      'rate-limit-headers': stringFlag,
      'seed-values': stringFlag,
      'no-record': { type: 'boolean' },
      help: { type: 'boolean' },
      ...Object.fromEntries(Object.keys(NUMERIC_FLAGS).map((flag) => [flag, stringFlag])),
    },
  });
  // Widened because the numeric flags are spread in from NUMERIC_FLAGS.
  const values = parsed as Record<string, string | boolean | undefined>;
  const options: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(NUMERIC_FLAGS)) {
    const text = values[flag];
    if (typeof text === 'string') options[option] = toNumber(flag, text);
  }
  if (values.tenant !== undefined) options.tenant = values.tenant;
  if (values['client-id'] !== undefined) options.clientId = values['client-id'];
  if (values['client-secret'] !== undefined) options.clientSecret = values['client-secret'];
  if (values['no-record'] === true) options.recordRequests = false;
  if (values['error-style'] !== undefined) options.errorStyle = values['error-style'];
  if (values['rate-limit-headers'] !== undefined) options.rateLimitHeaders = values['rate-limit-headers'];
  if (typeof values['seed-values'] === 'string') options.seedValues = readSeedValues(values['seed-values']);
  const world = values.world ?? 'open';
  if (world !== 'open' && world !== 'sample') {
    throw new TypeError(`Expected \`--world\` to be \`open\` or \`sample\`, got \`${String(world)}\``);
  }
  options.world = world === 'sample' ? sampleWorld() : openWorld();
  const port = values.port === undefined ? 0 : toNumber('port', String(values.port));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(
      `Expected \`--port\` to be an integer from 0 to 65535, got \`${String(values.port)}\``,
    );
  }
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  // Checked here so a bad value is a usage error (exit 2), not a crash after start.
  mergeOptions(defaultOptions(), options);
  return { options: options as SimulatorOptions, port, host, help: values.help === true };
}

/** The JSON in `file`; its shape is checked with the other options. */
function readSeedValues(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TypeError(`Cannot read \`--seed-values\` ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TypeError(`Expected \`--seed-values\` ${file} to hold JSON`, { cause: error });
  }
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`simulator: ${(error as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const simulator = await startSimulator(parsed.options, parsed.port, parsed.host);
  process.stdout.write(`${JSON.stringify({ url: simulator.url, tokenUrl: simulator.tokenUrl })}\n`);
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${(error as Error).message}\n`);
  process.exit(1);
});
