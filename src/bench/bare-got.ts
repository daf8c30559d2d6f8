/**
 * The yardstick for the CPU-bound scenario: the same PATCH requests as the CLI would send, from a
 * plain got loop with nothing else (no CSV parser, validation, scheduler, results file or logs).
 * Run as its own process: `node dist/bench/bare-got.js FILE CONCURRENCY`, with the CLI's
 * CLOUDCOCKPIT_BASE_URL, CLOUDCOCKPIT_TENANT and CLOUDCOCKPIT_TOKEN. Prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import got from 'got';
import pLimit from 'p-limit';

/** What the loop prints on stdout. */
export interface BareGotReport {
  readonly rows: number;
  /** Answers by HTTP status. */
  readonly byStatus: Record<number, number>;
  /** Time of the request loop alone. */
  readonly loopSeconds: number;
  /** rows / loopSeconds. */
  readonly rowsPerSecond: number;
}

async function main(): Promise<void> {
  const [file, concurrencyText] = process.argv.slice(2);
  const concurrency = Number(concurrencyText);
  const {
    CLOUDCOCKPIT_BASE_URL: baseUrl,
    CLOUDCOCKPIT_TENANT: tenant,
    CLOUDCOCKPIT_TOKEN: token,
  } = process.env;
  if (!file || !Number.isInteger(concurrency) || concurrency < 1 || !baseUrl || !tenant || !token) {
    process.stderr.write(
      'Usage: CLOUDCOCKPIT_BASE_URL=… CLOUDCOCKPIT_TENANT=… CLOUDCOCKPIT_TOKEN=… bare-got FILE N\n',
    );
    process.exitCode = 2;
    return;
  }
  // The bench writes these files itself (no quotes, no commas in cells), so a split is enough here.
  const lines = readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const client = got.extend({
    prefixUrl: baseUrl,
    method: 'PATCH',
    throwHttpErrors: false,
    agent: { http: agent },
    headers: { 'content-type': 'application/json', 'x-tenant': tenant, authorization: `Bearer ${token}` },
  });
  const limit = pLimit(concurrency);
  const byStatus: Record<number, number> = {};
  const started = performance.now();
  await Promise.all(
    lines.map((line) =>
      limit(async () => {
        const [customerId, subscriptionId, poNumber] = line.split(',');
        const response = await client(
          `v1/customers/${customerId}/subscriptions/${subscriptionId}/po-number`,
          {
            body: JSON.stringify(poNumber ?? ''),
            headers: { 'x-correlation-id': randomUUID() },
          },
        );
        byStatus[response.statusCode] = (byStatus[response.statusCode] ?? 0) + 1;
      }),
    ),
  );
  const loopSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  const report: BareGotReport = {
    rows: lines.length,
    byStatus,
    loopSeconds,
    rowsPerSecond: lines.length / loopSeconds,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  if ((byStatus[204] ?? 0) !== lines.length) process.exitCode = 1;
}

await main();
