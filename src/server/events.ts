/**
 * A run's progress as Server-Sent Events: what the page missed since its `Last-Event-ID` is
 * replayed (or, if no longer kept, a fresh snapshot is sent), then every event as it happens, with
 * a heartbeat comment so proxies and the browser keep the stream open; it ends after `end`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LiveEvent, LiveRun, Snapshot } from './live.js';

/** One event in the stream's wire format. */
function format(event: Pick<LiveEvent, 'id' | 'type' | 'data'>): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}

/** The event id the page last saw, from the header or (for a fresh EventSource) the query. */
function lastEventId(request: FastifyRequest): number | undefined {
  const given = request.headers['last-event-id'] ?? (request.query as { after?: string }).after;
  const n = Number(given);
  return given === undefined || !Number.isInteger(n) || n < 0 ? undefined : n;
}

/** Stream the events of `live` (a run of this process) or, for a run that is over, its last state. */
export function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  live: LiveRun | undefined,
  final: Snapshot,
  heartbeatMs: number,
): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  raw.write('retry: 2000\n\n');
  if (!live) {
    raw.end(format({ id: final.eventId, type: 'end', data: JSON.stringify(final) }));
    return;
  }
  const last = lastEventId(request);
  const missed = last === undefined ? undefined : live.since(last);
  const snapshot = live.snapshot();
  if (missed === undefined) {
    raw.write(
      format({ id: snapshot.eventId, type: live.ended ? 'end' : 'progress', data: JSON.stringify(snapshot) }),
    );
  } else {
    for (const event of missed) raw.write(format(event));
  }
  if (live.ended) {
    raw.end();
    return;
  }
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
  const stop = live.listen((event) => {
    raw.write(format(event));
    if (event.type === 'end') close();
  });
  function close(): void {
    clearInterval(heartbeat);
    stop();
    raw.end();
  }
  request.raw.on('close', close);
}
