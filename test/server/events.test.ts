/**
 * Progress as Server-Sent Events: a heartbeat keeps the stream open, a page that reconnects with
 * its Last-Event-ID is replayed what it missed (no gap, no repeat), the stream ends after `end`,
 * and the list of runs survives a restart of the server.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { until } from '../helpers/web.js';
import { setUp, type Setup } from './server-setup.js';

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

/** One parsed event of a stream. */
interface Received {
  readonly id: number;
  readonly type: string;
}

/** Read run `id`'s event stream until `enough` says so (or it ends); resolves to its events and raw text. */
function readEvents(
  s: Setup,
  id: string,
  lastEventId: number | undefined,
  enough: (events: Received[]) => boolean,
): Promise<{ events: Received[]; text: string }> {
  const { hostname, port } = new URL(s.server.origin);
  const headers: Record<string, string> = { cookie: s.cookie };
  if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
  return new Promise((resolve, reject) => {
    const request = http.get({ hostname, port, path: `/api/runs/${id}/events`, headers }, (answer) => {
      let text = '';
      const events: Received[] = [];
      const done = () => {
        request.destroy();
        resolve({ events, text });
      };
      answer.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        events.length = 0;
        for (const block of text.split('\n\n')) {
          const eventId = /^id: (\d+)$/m.exec(block)?.[1];
          const type = /^event: (\w+)$/m.exec(block)?.[1];
          if (eventId !== undefined && type !== undefined) events.push({ id: Number(eventId), type });
        }
        if (enough(events)) done();
      });
      answer.on('end', done);
    });
    request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
  });
}

/** A file of `n` good PO-number rows. */
const rows = (n: number) =>
  [
    'customerId,subscriptionId,poNumber',
    ...Array.from({ length: n }, (_, i) => `${randomUUID()},${randomUUID()},PO-${i}`),
  ].join('\n') + '\n';

describe('the event stream', () => {
  test('replays from Last-Event-ID without gap or repeat, beats while quiet, and ends after the end event', async () => {
    setup = await setUp({ flags: { rate: 40 } });
    const s = setup;
    const report = (await (await s.client.upload('slow.csv', rows(60))).json()) as { id: string };
    await s.client.post('/api/runs', { id: report.id });
    const first = await readEvents(s, report.id, undefined, (events) => events.length >= 3);
    const last = first.events.at(-1)?.id ?? 0;
    const second = await readEvents(s, report.id, last, (events) => events.at(-1)?.type === 'end');
    expect(second.events[0]?.id).toBe(last + 1);
    const ids = second.events.map((e) => e.id);
    expect(ids).toEqual(ids.map((_, i) => last + 1 + i));
    expect(second.events.at(-1)?.type).toBe('end');
    expect(first.text + second.text).toContain(': heartbeat');
  });

  test('a run that is over answers its end at once, and a page that cannot stream can poll it', async () => {
    setup = await setUp();
    const s = setup;
    const report = (await (await s.client.upload('quick.csv', rows(3))).json()) as { id: string };
    await s.client.post('/api/runs', { id: report.id });
    await until(
      async () =>
        ((await (await s.client.get(`/api/runs/${report.id}`)).json()) as { summary?: unknown }).summary !==
        undefined,
    );
    const stream = await readEvents(s, report.id, undefined, () => false);
    expect(stream.events.map((e) => e.type)).toEqual(['end']);
  });
});

describe('a restart of the server', () => {
  test('keeps the list of past runs and their files; a run a crash cut short is offered for resuming and completes', async () => {
    setup = await setUp({ flags: { rate: 20, concurrency: 2 } });
    const dataDir = setup.dataDir;
    const report = (await (await setup.client.upload('orders.csv', rows(200))).json()) as { id: string };
    await setup.client.post('/api/runs', { id: report.id });
    const client = setup.client;
    await until(
      async () => ((await (await client.get(`/api/runs/${report.id}`)).json()) as { done: number }).done > 0,
    );
    await client.post(`/api/runs/${report.id}/cancel`);
    await until(
      async () =>
        ((await (await client.get(`/api/runs/${report.id}`)).json()) as { summary?: unknown }).summary !==
        undefined,
    );
    await setup.close();
    // What a crash leaves in the index: the run still marked running.
    const index = `${dataDir}/index.json`;
    await writeFile(index, (await readFile(index, 'utf8')).replace('"finished"', '"running"'));
    setup = await setUp({ dataDir });
    const { runs } = (await (await setup.client.get('/api/runs')).json()) as {
      runs: { id: string; state: string; resumable: boolean }[];
    };
    expect(runs).toEqual([expect.objectContaining({ id: report.id, state: 'interrupted', resumable: true })]);
    expect((await setup.client.post(`/api/runs/${report.id}/resume`)).status).toBe(202);
    const c2 = setup.client;
    let summary: { counts: Record<string, number>; exitCode: number } | undefined;
    await until(async () => {
      ({ summary } = (await (await c2.get(`/api/runs/${report.id}`)).json()) as { summary?: typeof summary });
      return summary !== undefined;
    });
    expect(summary).toMatchObject({ exitCode: 0, counts: { success: 200, not_attempted: 0 } });
    const results = await (await c2.get(`/api/runs/${report.id}/results.csv`)).text();
    expect(results.split('\r\n').filter((l) => l.includes(',success,'))).toHaveLength(200);
  });
});
