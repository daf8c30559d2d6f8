/** Counted nouns in messages: `1 row`, `2 rows`, never `1 rows`. */

/** `n` and the noun that goes with it: `plural(1, 'row')` is `1 row`, `plural(3, 'retry', 'retries')` is `3 retries`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
