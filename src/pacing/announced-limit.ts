/**
 * Reads the rate limit an answer announces in its headers, the IETF draft's `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` (and `RateLimit-Policy: 10;w=1` for the window) or
 * GitHub's `X-RateLimit-*`. CloudCockpit documents none of them, so they are read defensively:
 * a field absent, not a plain number, negative or beyond reason is left out, never guessed at,
 * and nothing here throws. A reset is seconds from now (the IETF draft) or epoch seconds
 * (GitHub), told apart by size, whichever header carries it.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What an answer said of the limit; each field only when it was read cleanly. */
export interface AnnouncedLimit {
  /** Requests allowed per window. */
  readonly limit?: number;
  /** Requests left in the current window. */
  readonly remaining?: number;
  /** Milliseconds from now until the window resets (`Remaining` is back). */
  readonly resetMs?: number;
  /** The window's length in milliseconds, when a policy names it (`w=`). */
  readonly windowMs?: number;
}

/** More than this many requests per window is not a limit anyone announces: a garbled value. */
export const MAX_LIMIT = 1_000_000;
/** A reset further away than this (an hour, GitHub's window) is not believed. */
export const MAX_RESET_S = 3600;
/** From this size on, a reset is epoch seconds (September 2001), not seconds from now. */
const EPOCH_FROM = 1_000_000_000;

const IETF_FIELDS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];
const GITHUB_FIELDS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
const PLAIN_NUMBER = /^\s*(\d+(?:\.\d+)?)\s*$/;
// A list's first item: "10", "10;w=1", or "10, 10;w=1, 1000;w=3600" (draft 03 put the policies in Limit).
const FIRST_ITEM = /^\s*(\d+)\s*(?:;([^,]*))?(?:,|$)/;
const WINDOW_PARAM = /(?:^|;)\s*w\s*=\s*(\d+)\s*(?:;|$)/;

function field(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A plain non-negative number no larger than `max`, else undefined. */
function plainNumber(text: string | undefined, max: number): number | undefined {
  const match = text === undefined ? null : PLAIN_NUMBER.exec(text);
  if (match === null) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) && value <= max ? value : undefined;
}

/** The quota and window of a list's first item (`10;w=1`), each when valid. */
function firstItem(text: string | undefined): { quota?: number; windowMs?: number } {
  const match = text === undefined ? null : FIRST_ITEM.exec(text);
  if (match === null) return {};
  const quota = Number(match[1]);
  const window = WINDOW_PARAM.exec(match[2] ?? '');
  const seconds = window === null ? undefined : Number(window[1]);
  return {
    ...(quota >= 1 && quota <= MAX_LIMIT ? { quota } : {}),
    ...(seconds !== undefined && seconds >= 1 && seconds <= MAX_RESET_S ? { windowMs: seconds * 1000 } : {}),
  };
}

/** Milliseconds until a reset given as seconds from now or as epoch seconds, if believable. */
function resetIn(text: string | undefined, nowEpochMs: number): number | undefined {
  const value = plainNumber(text, Number.MAX_SAFE_INTEGER);
  if (value === undefined) return undefined;
  const seconds = value >= EPOCH_FROM ? value - nowEpochMs / 1000 : value;
  // An epoch already past (a clock behind the server's) means the window has reset: no wait.
  if (seconds > MAX_RESET_S) return undefined;
  return Math.max(0, seconds * 1000);
}

/**
 * The limit announced by `headers` (names in lower case, as Node gives them), at `nowEpochMs`
 * (for an epoch reset); undefined when the answer announces nothing usable. The IETF fields win
 * over GitHub's when an answer carries both.
 */
export function readAnnouncedLimit(
  headers: IncomingHttpHeaders,
  nowEpochMs: number,
): AnnouncedLimit | undefined {
  const ietf = IETF_FIELDS.some((name) => name in headers);
  // Most answers announce nothing: a quick way out, as this runs for every answer.
  if (!ietf && !GITHUB_FIELDS.some((name) => name in headers)) return undefined;
  const prefix = ietf ? 'ratelimit-' : 'x-ratelimit-';
  const limitItem = firstItem(field(headers, `${prefix}limit`));
  const policy = firstItem(field(headers, 'ratelimit-policy'));
  const limit = limitItem.quota;
  const remaining = plainNumber(field(headers, `${prefix}remaining`), MAX_LIMIT);
  const resetMs = resetIn(field(headers, `${prefix}reset`), nowEpochMs);
  // The policy's window counts only if its quota is the announced limit: else it is another policy's.
  const windowMs = limitItem.windowMs ?? (policy.quota === limit ? policy.windowMs : undefined);
  const announced: AnnouncedLimit = {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined && Number.isInteger(remaining) && (limit === undefined || remaining <= limit)
      ? { remaining }
      : {}),
    ...(resetMs !== undefined ? { resetMs } : {}),
    ...(windowMs !== undefined ? { windowMs } : {}),
  };
  return Object.keys(announced).length === 0 ? undefined : announced;
}
