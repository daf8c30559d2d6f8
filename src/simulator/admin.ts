import type { SimulatorOptions } from './options.js';
import type { SimulatorCounters } from './recorder.js';

/** A JSON-friendly snapshot of the counters, as served by GET /_sim/stats. */
export interface SimulatorStats extends Omit<SimulatorCounters, 'perSecond' | 'refusedPerSecond'> {
  perSecond: Record<number, number>;
  refusedPerSecond: Record<number, number>;
  inFlight: number;
  maxInFlight: number;
  maxConcurrentPerKey: number;
  issuedTokens: number;
  poNumbers: number;
  internalIdentifiers: number;
}

/** What the admin endpoints need from the running simulator. */
export interface AdminTarget {
  stats(): SimulatorStats;
  configure(partial: Partial<SimulatorOptions>): void;
  reset(): void;
  readonly options: Readonly<SimulatorOptions>;
  readonly poNumbers: ReadonlyMap<string, string>;
  readonly internalIdentifiers: ReadonlyMap<string, string | null>;
}

/** An admin answer: status and JSON body (none for 204). */
export interface AdminAnswer {
  status: number;
  body?: string;
}

function publicOptions(target: AdminTarget): string {
  // The world holds functions, which JSON cannot carry.
  const { world: _world, ...rest } = target.options;
  return JSON.stringify(rest);
}

function configureFrom(target: AdminTarget, body: string): AdminAnswer {
  let partial: unknown;
  try {
    partial = JSON.parse(body);
  } catch {
    return {
      status: 400,
      body: JSON.stringify({ error: 'The body must be a JSON object of simulator options.' }),
    };
  }
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    return {
      status: 400,
      body: JSON.stringify({ error: 'The body must be a JSON object of simulator options.' }),
    };
  }
  if ('world' in partial) {
    return { status: 400, body: JSON.stringify({ error: 'The world cannot be changed over HTTP.' }) };
  }
  try {
    target.configure(partial as Partial<SimulatorOptions>);
  } catch (error) {
    return { status: 400, body: JSON.stringify({ error: (error as Error).message }) };
  }
  return { status: 200, body: publicOptions(target) };
}

/**
 * Answers the admin calls a separate process (the benchmark) uses to watch and steer the
 * simulator: GET /_sim/stats, GET /_sim/values, GET|POST /_sim/config, POST /_sim/reset.
 */
export function answerAdmin(target: AdminTarget, method: string, path: string, body: string): AdminAnswer {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_sim/stats':
      return { status: 200, body: JSON.stringify(target.stats()) };
    case 'GET /_sim/values':
      return {
        status: 200,
        body: JSON.stringify({
          poNumbers: Object.fromEntries(target.poNumbers),
          internalIdentifiers: Object.fromEntries(target.internalIdentifiers),
        }),
      };
    case 'GET /_sim/config':
      return { status: 200, body: publicOptions(target) };
    case 'POST /_sim/config':
      return configureFrom(target, body);
    case 'POST /_sim/reset':
      target.reset();
      return { status: 204 };
    default:
      return { status: 404, body: JSON.stringify({ error: `No admin route ${route}.` }) };
  }
}
