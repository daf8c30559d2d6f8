/**
 * A number format code read into what formatting needs: its sections (split at `;`), each a list of
 * literal texts and placeholder or date parts, with the condition its brackets set, if any.
 */

/** A piece of a format section: a literal text, or a placeholder or date part. */
export type Token = { kind: 'literal'; text: string } | { kind: 'part'; text: string };

/** One section of a code: its tokens, and the condition (`[>=100]`) that picks it, if it has one. */
export interface Section {
  readonly tokens: Token[];
  readonly condition?: [string, number];
}

/** The sections of `code`, each tokenized. */
export function parseCode(code: string): Section[] {
  return sections(code).map(tokenize);
}

/** The text of each part token, '' for literals: what the formatters scan for placeholders. */
export function partsOf(tokens: Token[]): string[] {
  return tokens.map((t) => (t.kind === 'part' ? t.text : ''));
}

/** Whether a section shows a date or time (any year, month, day, hour, second or AM/PM part). */
export function isDateSection(tokens: Token[]): boolean {
  return tokens.some((t) => t.kind === 'part' && /^(\[?[ymdhs]|am\/pm|a\/p)/.test(t.text));
}

/** Split a code at `;` outside quotes, brackets and escapes. */
function sections(code: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i] as string;
    if (ch === '"') {
      const end = code.indexOf('"', i + 1);
      const stop = end === -1 ? code.length : end + 1;
      current += code.slice(i, stop);
      i = stop - 1;
    } else if (ch === '\\' || ch === '_' || ch === '*') {
      current += code.slice(i, i + 2);
      i++;
    } else if (ch === '[') {
      const end = code.indexOf(']', i);
      const stop = end === -1 ? code.length : end + 1;
      current += code.slice(i, stop);
      i = stop - 1;
    } else if (ch === ';') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** A section's tokens, and what its brackets said: a condition, elapsed-time parts. */
function tokenize(section: string): Section {
  const tokens: Token[] = [];
  let condition: [string, number] | undefined;
  const literal = (text: string) => tokens.push({ kind: 'literal', text });
  for (let i = 0; i < section.length; i++) {
    const ch = section[i] as string;
    const lower = ch.toLowerCase();
    if (ch === '"') {
      const end = section.indexOf('"', i + 1);
      const stop = end === -1 ? section.length : end;
      literal(section.slice(i + 1, stop));
      i = stop;
    } else if (ch === '\\') {
      literal(section[i + 1] ?? '');
      i++;
    } else if (ch === '_') {
      // `_x` leaves the width of x blank: a space is the closest plain-text rendering.
      literal(' ');
      i++;
    } else if (ch === '*') {
      i++; // `*x` repeats x to fill the column: nothing in plain text
    } else if (ch === '[') {
      const end = section.indexOf(']', i);
      const stop = end === -1 ? section.length : end;
      const inner = section.slice(i + 1, stop);
      i = stop;
      const cond = /^(<=|>=|<>|<|>|=)\s*(-?[\d.]+)$/.exec(inner);
      if (cond) condition = [cond[1] as string, Number(cond[2])];
      else if (/^(h+|m+|s+)$/i.test(inner)) tokens.push({ kind: 'part', text: `[${inner.toLowerCase()}]` });
      else if (inner.startsWith('$')) {
        // [$€-407]: a currency symbol with a locale; the symbol is shown.
        const symbol = inner.slice(1).split('-')[0] ?? '';
        if (symbol !== '') literal(symbol);
      } // colours ([Red], [Color10]) change nothing in text
    } else if (/^general/i.test(section.slice(i, i + 7))) {
      tokens.push({ kind: 'part', text: '@' });
      i += 6;
    } else if (/^am\/pm/i.test(section.slice(i, i + 5))) {
      tokens.push({ kind: 'part', text: 'am/pm' });
      i += 4;
    } else if (/^a\/p/i.test(section.slice(i, i + 3))) {
      tokens.push({ kind: 'part', text: 'a/p' });
      i += 2;
    } else if ('ymdhs'.includes(lower)) {
      let j = i;
      while (j < section.length && (section[j] as string).toLowerCase() === lower) j++;
      tokens.push({ kind: 'part', text: lower.repeat(j - i) });
      i = j - 1;
    } else if (lower === 'e' && /^[eE][+-]/.test(section.slice(i, i + 2))) {
      tokens.push({ kind: 'part', text: section.slice(i, i + 2).toUpperCase() });
      i++;
    } else if ('0#?.,%@/'.includes(ch)) {
      tokens.push({ kind: 'part', text: ch });
    } else literal(ch);
  }
  return condition ? { tokens, condition } : { tokens };
}
