/**
 * The text Excel shows for a number under a number format code, so a workbook cell reads the way a
 * person sees it: `00000` keeps leading zeros, `#,##0.00` groups, `dd.mm.yyyy` shows a date. exceljs
 * reads the values and the codes but does not format, so this is the small part done by hand: the
 * codes finance sheets use (digits, grouping, decimals, percent, scientific, literals, dates and
 * times). Anything it does not understand falls back to the General rendering of the value.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MS_PER_DAY = 86_400_000;
/** Serial day 0 as counted from March 1900 on (Excel's serials before then count a phantom 29 February). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);

/**
 * Built-in codes whose display depends on the reader's locale (Excel's "short date"). exceljs names
 * them by their ECMA-376 codes; a file cannot tell which locale its reader had, so they are shown
 * unambiguously in ISO 8601.
 */
const LOCALE_DEPENDENT: Record<string, string> = {
  'mm-dd-yy': 'yyyy-mm-dd',
  'm/d/yy "h":mm': 'yyyy-mm-dd h:mm',
  'm/d/yy h:mm': 'yyyy-mm-dd h:mm',
};

/** A piece of a format section: a literal text, or a placeholder or date part. */
type Token = { kind: 'literal'; text: string } | { kind: 'part'; text: string };

/**
 * The serial day number exceljs turned into `date`: it converts as if every day since 1899-12-30
 * existed (and applies a 1904 base itself), so this is its exact inverse; `formatNumber` then reads
 * the serial the way Excel does, phantom 29 February 1900 included.
 */
export function serialOf(date: Date): number {
  return (date.getTime() - EPOCH_1900) / MS_PER_DAY;
}

/**
 * General: the value to 15 significant digits, Excel's precision. Unlike Excel's on-screen General
 * (11 characters, then `4.50012E+11`), long integers are shown whole: a workbook has them exactly,
 * and the scientific form is the very damage that reading the .xlsx instead of a CSV avoids.
 */
export function generalText(value: number): string {
  if (!Number.isFinite(value)) return '#NUM!';
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(15));
  const abs = Math.abs(rounded);
  if (abs >= 1e-9 && abs < 1e21) {
    const text = String(rounded);
    if (!text.includes('e')) return text;
    return rounded.toFixed(Math.min(20, 15 - Math.floor(Math.log10(abs)))).replace(/\.?0+$/, '');
  }
  return rounded
    .toExponential()
    .replace('e', 'E')
    .replace(/E([+-])(\d)$/, 'E$10$2');
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
function tokenize(section: string): { tokens: Token[]; condition?: [string, number] } {
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

function isDateSection(tokens: Token[]): boolean {
  return tokens.some((t) => t.kind === 'part' && /^(\[?[ymdhs]|am\/pm|a\/p)/.test(t.text));
}

function meets(value: number, [op, limit]: [string, number]): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '=':
      return value === limit;
    default:
      return value !== limit;
  }
}

/** Round half away from zero to `places` decimals, on the decimal text (so 1.005 → 1.01 as in Excel). */
function fixed(value: number, places: number): string {
  const abs = Math.abs(Number(value.toPrecision(15)));
  if (abs >= 1e21) return generalText(abs);
  const shifted = Math.round(Number(`${abs}e${places}`));
  const result = Number.isFinite(shifted) ? Number(`${shifted}e-${places}`) : abs;
  return result.toFixed(places);
}

/** The number part of a section: digits into their placeholders, literals kept in place. */
function formatDigits(value: number, tokens: Token[]): string {
  const parts = tokens.map((t) => (t.kind === 'part' ? t.text : ''));
  const isDigit = (p: string) => p === '0' || p === '#' || p === '?';
  const expAt = parts.findIndex((p) => p === 'E+' || p === 'E-');
  const mantissaEnd = expAt === -1 ? tokens.length : expAt;
  const pointAt = parts.findIndex((p, i) => p === '.' && i < mantissaEnd);
  const intEnd = pointAt === -1 ? mantissaEnd : pointAt;
  const lastIntDigit = parts.slice(0, intEnd).reduce((last, p, i) => (isDigit(p) ? i : last), -1);
  const firstIntDigit = parts.findIndex((p, i) => i < intEnd && isDigit(p));

  let scaled = value;
  let grouping = false;
  for (let i = 0; i < intEnd; i++) {
    if (parts[i] !== ',') continue;
    // A comma between digit placeholders groups thousands; trailing ones divide by 1000 each.
    if (i > firstIntDigit && i < lastIntDigit) grouping = true;
    else if (i > lastIntDigit && firstIntDigit !== -1) scaled /= 1000;
  }
  const percents = parts.filter((p) => p === '%').length;
  scaled *= 100 ** percents;

  const fracSlots = parts.slice(intEnd, mantissaEnd).filter(isDigit).length;
  const intSlots = parts.slice(0, intEnd).filter(isDigit).length;
  let exponent = 0;
  if (expAt !== -1 && scaled !== 0) {
    const magnitude = Math.floor(Math.log10(Math.abs(scaled)));
    // `##0.0E+0` (engineering) keeps the exponent a multiple of the integer width.
    const step = parts.slice(0, intEnd).includes('#') ? Math.max(1, intSlots) : 1;
    exponent =
      step > 1 ? Math.floor(magnitude / step) * step : magnitude - Math.max(0, Math.max(1, intSlots) - 1);
    scaled /= 10 ** exponent;
  }
  const [intDigits = '', fracDigits = ''] = fixed(scaled, fracSlots).split('.');
  const intText = intDigits === '0' ? '' : intDigits;

  // Integer placeholders, right to left; the leftmost takes every digit left over.
  const out: string[] = new Array<string>(tokens.length).fill('');
  let remaining = intText;
  let placed = 0;
  const group = (digit: string) => {
    const text = grouping && placed > 0 && placed % 3 === 0 ? `${digit},` : digit;
    placed++;
    return text;
  };
  for (let i = intEnd - 1; i >= 0; i--) {
    const token = tokens[i] as Token;
    const p = parts[i] as string;
    if (token.kind === 'literal') out[i] = token.text;
    else if (isDigit(p)) {
      let text = '';
      if (i === firstIntDigit) {
        while (remaining.length > 0) {
          text = group(remaining.slice(-1)) + text;
          remaining = remaining.slice(0, -1);
        }
        if (text === '') text = p === '0' ? group('0') : p === '?' ? ' ' : '';
      } else if (remaining.length > 0) {
        text = group(remaining.slice(-1));
        remaining = remaining.slice(0, -1);
      } else text = p === '0' ? group('0') : p === '?' ? ' ' : '';
      out[i] = text;
    } else if (p === '%') out[i] = '%';
    else if (p === '@') out[i] = generalText(value);
    else if (p !== ',') out[i] = p;
  }
  if (firstIntDigit === -1 && intText !== '') out[0] = intText + (out[0] ?? '');

  // Decimal placeholders, left to right; trailing zeros under `#` vanish, under `?` become spaces.
  let fraction = fracDigits;
  let slot = 0;
  const fracParts = parts.slice(intEnd, mantissaEnd);
  for (let k = fracParts.length - 1; k >= 0 && fraction.endsWith('0'); k--) {
    const p = fracParts[k] as string;
    if (!isDigit(p)) continue;
    if (p === '0') break;
    fraction = fraction.slice(0, -1) + (p === '?' ? ' ' : '');
  }
  for (let i = intEnd; i < mantissaEnd; i++) {
    const token = tokens[i] as Token;
    const p = parts[i] as string;
    if (token.kind === 'literal') out[i] = token.text;
    else if (isDigit(p)) out[i] = fraction[slot++] ?? '';
    else if (p === '.') out[i] = '.';
    else if (p === '%') out[i] = '%';
  }
  if (expAt !== -1) {
    const expDigits = parts.slice(expAt + 1).filter((p) => p === '0').length;
    const sign = exponent < 0 ? '-' : parts[expAt] === 'E+' ? '+' : '';
    out[expAt] = `E${sign}${String(Math.abs(exponent)).padStart(expDigits, '0')}`;
    // The exponent's digits are all in out[expAt]; only literals and % follow them.
    for (let i = expAt + 1; i < tokens.length; i++) {
      const token = tokens[i] as Token;
      if (token.kind === 'literal') out[i] = token.text;
      else if (token.text === '%') out[i] = '%';
    }
  }
  return out.join('');
}

/** The date and time parts of a section, for a serial day number. */
function formatDate(serial: number, tokens: Token[]): string {
  const parts = tokens.map((t) => (t.kind === 'part' ? t.text : ''));
  const subsecond = parts.find((p, i) => p === '.' && /^s/.test(parts[i - 1] ?? ''))
    ? parts.filter((p, i) => p === '0' && parts.slice(0, i).includes('.')).length
    : 0;
  const unit = 10 ** -Math.min(3, subsecond);
  // Round once, to what is shown, so 23:59:59.6 becomes the next day, as in Excel.
  const totalSeconds = Math.round((serial * 86_400) / unit) * unit;
  const days = Math.floor(totalSeconds / 86_400);
  const secondsOfDay = totalSeconds - days * 86_400;
  const real = days + (days < 61 ? 1 : 0);
  const date = new Date(EPOCH_1900 + real * MS_PER_DAY);
  const [y, mo, d, wd] =
    days === 60
      ? [1900, 1, 29, 3] // the 29 February 1900 Excel believes in (a Thursday)
      : [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCDay()];
  const h = Math.floor(secondsOfDay / 3600);
  const mi = Math.floor((secondsOfDay % 3600) / 60);
  const s = Math.floor(secondsOfDay % 60);
  const twelveHour = parts.includes('am/pm') || parts.includes('a/p');
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'literal') {
      out.push(token.text);
      continue;
    }
    const p = token.text;
    // `m` is minutes right after an hour or right before a second, else a month.
    const prevPart = parts
      .slice(0, i)
      .reverse()
      .find((q) => q !== '' && q !== '.' && q !== '0');
    const nextPart = parts.slice(i + 1).find((q) => q !== '');
    const minutes =
      p.startsWith('m') && p.length <= 2 && (/^\[?h/.test(prevPart ?? '') || /^\[?s/.test(nextPart ?? ''));
    if (p.startsWith('y')) out.push(p.length <= 2 ? pad(y % 100, 2) : String(y));
    else if (p.startsWith('m') && !minutes) {
      const name = MONTHS[mo] as string;
      out.push(
        p.length === 1
          ? String(mo + 1)
          : p.length === 2
            ? pad(mo + 1, 2)
            : p.length === 3
              ? name.slice(0, 3)
              : p.length === 4
                ? name
                : name.slice(0, 1),
      );
    } else if (p.startsWith('m')) out.push(pad(mi, p.length));
    else if (p.startsWith('d')) {
      const name = DAYS[wd] as string;
      out.push(p.length <= 2 ? pad(d, p.length) : p.length === 3 ? name.slice(0, 3) : name);
    } else if (p.startsWith('h')) {
      const hour = twelveHour ? h % 12 || 12 : h;
      out.push(pad(hour, Math.min(2, p.length)));
    } else if (p.startsWith('s')) out.push(pad(s, Math.min(2, p.length)));
    else if (p === '[h]' || p === '[hh]') out.push(pad(Math.floor(totalSeconds / 3600), p.length - 2));
    else if (p.startsWith('[m')) out.push(pad(Math.floor(totalSeconds / 60), p.length - 2));
    else if (p.startsWith('[s')) out.push(pad(Math.floor(totalSeconds), p.length - 2));
    else if (p === 'am/pm') out.push(h < 12 ? 'AM' : 'PM');
    else if (p === 'a/p') out.push(h < 12 ? 'A' : 'P');
    else if (p === '.' && subsecond > 0 && /^s/.test(parts[i - 1] ?? '')) {
      const fraction = totalSeconds - Math.floor(totalSeconds);
      out.push('.' + fraction.toFixed(Math.min(3, subsecond)).slice(2));
      while (parts[i + 1] === '0') i++;
    } else out.push(p);
  }
  return out.join('');
}

/** The text Excel shows for `value` under the format `code` (undefined or `General`: General). */
export function formatNumber(value: number, code: string | undefined): string {
  if (code === undefined || code === '' || /^general$/i.test(code.trim())) return generalText(value);
  if (!Number.isFinite(value)) return '#NUM!';
  const all = sections(LOCALE_DEPENDENT[code] ?? code).map(tokenize);
  const numeric = all.slice(0, 3);
  let chosen = numeric[0];
  let signed = true;
  if (numeric.some((s) => s.condition)) {
    chosen = numeric.find((s) => !s.condition || meets(value, s.condition)) ?? numeric[0];
    signed = chosen?.condition === undefined || value >= 0;
  } else if (value < 0 && numeric.length >= 2) {
    chosen = numeric[1];
    signed = false; // the negative section shows its own sign, if any
  } else if (value === 0 && numeric.length >= 3) chosen = numeric[2];
  if (chosen === undefined) return generalText(value);
  const { tokens } = chosen;
  if (tokens.length === 0) return '';
  if (isDateSection(tokens)) {
    if (value < 0) return generalText(value); // Excel shows ##### for a negative date
    return formatDate(value, tokens);
  }
  if (!tokens.some((t) => t.kind === 'part' && '0#?'.includes(t.text))) {
    // Only literals (e.g. "-" for zero) or a text placeholder.
    return tokens
      .map((t) => (t.kind === 'literal' ? t.text : t.text === '@' ? generalText(value) : t.text))
      .join('');
  }
  if (tokens.some((t) => t.kind === 'part' && t.text === '/')) return generalText(value); // fractions
  const text = formatDigits(Math.abs(value), tokens);
  return signed && value < 0 && /[1-9]/.test(text) ? `-${text}` : text;
}
