/* global document */
/**
 * Small helpers to build the page. Every value from a file or the server becomes a text node,
 * never HTML: a cell holding `<img onerror=…>` shows as those characters.
 */

/** An element with `attributes` (set one by one) and `children` (strings become text nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** The element with this id. */
export function byId(id) {
  return document.getElementById(id);
}

/** A number as people read it: 1,204. */
export function count(n) {
  return new Intl.NumberFormat('en').format(n ?? 0);
}

/** What a kind of change is called in a sentence. */
export function kindWords(kind) {
  return kind === 'internal-identifiers' ? 'internal identifiers' : 'PO numbers';
}

/** A duration in words: 42 s, 3 min 5 s. */
export function duration(seconds) {
  if (seconds === undefined || !Number.isFinite(seconds)) return 'working it out…';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Fill a definition list with `[term, value]` pairs. */
export function facts(list, pairs) {
  list.replaceChildren(
    ...pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, String(value))]),
  );
}

/** Show the message at the top of the page (or hide it with no message). */
export function notice(message) {
  const box = byId('notice');
  box.textContent = message ?? '';
  box.hidden = !message;
}

/** The words for each status of the results file. */
export const STATUS_WORDS = {
  success: 'Changed',
  failed: 'Failed',
  invalid: 'Invalid (not sent)',
  not_attempted: 'Not sent (stopped)',
  valid: 'Valid',
};
