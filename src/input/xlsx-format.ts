/**
 * The text Excel shows for a number under a number format code, so a workbook cell reads the way a
 * person sees it: `00000` keeps leading zeros, `#,##0.00` groups, `dd.mm.yyyy` shows a date. A
 * workbook holds the values and the codes but not the text shown, so this is done by hand: the
 * codes finance sheets use (digits, grouping, decimals, percent, scientific, literals, dates and
 * times). Anything it does not understand falls back to the General rendering of the value.
 *
 * By hand rather than with numfmt, which does format Excel codes: it rounds the binary value, so
 * 1.005 under `0.00` reads 1.00 where Excel shows 1.01, and a 15-digit number under `0.00` can lose
 * its last digit (804502792521938 reads 804502792521937.90). An id must read exactly as written.
 */
import { isDateSection, parseCode, type Section } from './xlsx-format-code.js';
import { formatDate } from './xlsx-format-date.js';
import { formatDigits, generalText } from './xlsx-format-digits.js';

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

/**
 * The section that shows `value` (by condition, else positive;negative;zero), and whether the
 * value's own minus sign is still to be shown: a negative section shows its own sign, if any.
 */
function chooseSection(value: number, all: Section[]): { chosen: Section | undefined; signed: boolean } {
  const numeric = all.slice(0, 3);
  if (numeric.some((s) => s.condition)) {
    const chosen = numeric.find((s) => !s.condition || meets(value, s.condition)) ?? numeric[0];
    return { chosen, signed: chosen?.condition === undefined || value >= 0 };
  }
  if (value < 0 && numeric.length >= 2) return { chosen: numeric[1], signed: false };
  if (value === 0 && numeric.length >= 3) return { chosen: numeric[2], signed: true };
  return { chosen: numeric[0], signed: true };
}

/** The text Excel shows for `value` under the format `code` (undefined or `General`: General). */
export function formatNumber(value: number, code: string | undefined): string {
  if (code === undefined || code === '' || /^general$/i.test(code.trim())) return generalText(value);
  if (!Number.isFinite(value)) return '#NUM!';
  const { chosen, signed } = chooseSection(value, parseCode(LOCALE_DEPENDENT[code] ?? code));
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
