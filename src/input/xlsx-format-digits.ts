/**
 * The number part of a format: digits into their placeholders (`0`, `#`, `?`), thousands grouping
 * and scaling, decimals, percent and scientific notation, with the literals kept in place; and
 * General, the rendering everything else falls back to. Rounding is done on the decimal text, as
 * Excel does, so no binary artefact (1.005 stored as 1.00499…) ever shows.
 */
import { partsOf, type Token } from './xlsx-format-code.js';

/** Where the pieces of a number section sit, by token index. */
interface Layout {
  /** Each token's part text ('' for a literal). */
  readonly parts: string[];
  /** The exponent part (`E+`, `E-`), or -1. */
  readonly expAt: number;
  /** Where the mantissa ends: the exponent, or the end. */
  readonly mantissaEnd: number;
  /** Where the integer part ends: the decimal point, or the mantissa's end. */
  readonly intEnd: number;
  readonly firstIntDigit: number;
  readonly lastIntDigit: number;
  /** A comma between integer placeholders: thousands are grouped. */
  readonly grouping: boolean;
  /** Commas after the last integer placeholder: each divides by 1000. */
  readonly thousands: number;
}

const isDigit = (p: string) => p === '0' || p === '#' || p === '?';

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

/** The number part of a section for a value ≥ 0: digits into their placeholders, literals kept in place. */
export function formatDigits(value: number, tokens: Token[]): string {
  const layout = layoutOf(tokens);
  const fracSlots = layout.parts.slice(layout.intEnd, layout.mantissaEnd).filter(isDigit).length;
  const { mantissa, exponent } = scaled(value, layout);
  const [intDigits = '', fracDigits = ''] = fixed(mantissa, fracSlots).split('.');
  const out: string[] = new Array<string>(tokens.length).fill('');
  placeInteger(out, tokens, layout, intDigits === '0' ? '' : intDigits, value);
  placeFraction(out, tokens, layout, fracDigits);
  if (layout.expAt !== -1) placeExponent(out, tokens, layout, exponent);
  return out.join('');
}

function layoutOf(tokens: Token[]): Layout {
  const parts = partsOf(tokens);
  const expAt = parts.findIndex((p) => p === 'E+' || p === 'E-');
  const mantissaEnd = expAt === -1 ? tokens.length : expAt;
  const pointAt = parts.findIndex((p, i) => p === '.' && i < mantissaEnd);
  const intEnd = pointAt === -1 ? mantissaEnd : pointAt;
  const lastIntDigit = parts.slice(0, intEnd).reduce((last, p, i) => (isDigit(p) ? i : last), -1);
  const firstIntDigit = parts.findIndex((p, i) => i < intEnd && isDigit(p));
  let grouping = false;
  let thousands = 0;
  for (let i = 0; i < intEnd; i++) {
    if (parts[i] !== ',') continue;
    // A comma between digit placeholders groups thousands; trailing ones divide by 1000 each.
    if (i > firstIntDigit && i < lastIntDigit) grouping = true;
    else if (i > lastIntDigit && firstIntDigit !== -1) thousands++;
  }
  return { parts, expAt, mantissaEnd, intEnd, firstIntDigit, lastIntDigit, grouping, thousands };
}

/** The value as the placeholders show it: scaled by trailing commas and `%`, and split from its exponent. */
function scaled(value: number, layout: Layout): { mantissa: number; exponent: number } {
  const { parts, intEnd } = layout;
  let mantissa = value;
  for (let i = 0; i < layout.thousands; i++) mantissa /= 1000;
  mantissa *= 100 ** parts.filter((p) => p === '%').length;
  if (layout.expAt === -1 || mantissa === 0) return { mantissa, exponent: 0 };
  const intSlots = parts.slice(0, intEnd).filter(isDigit).length;
  const magnitude = Math.floor(Math.log10(Math.abs(mantissa)));
  // `##0.0E+0` (engineering) keeps the exponent a multiple of the integer width.
  const step = parts.slice(0, intEnd).includes('#') ? Math.max(1, intSlots) : 1;
  const exponent =
    step > 1 ? Math.floor(magnitude / step) * step : magnitude - Math.max(0, Math.max(1, intSlots) - 1);
  return { mantissa: mantissa / 10 ** exponent, exponent };
}

/** Round half away from zero to `places` decimals, on the decimal text (so 1.005 → 1.01 as in Excel). */
function fixed(value: number, places: number): string {
  const abs = Math.abs(Number(value.toPrecision(15)));
  if (abs >= 1e21) return generalText(abs);
  const shifted = Math.round(Number(`${abs}e${places}`));
  const result = Number.isFinite(shifted) ? Number(`${shifted}e-${places}`) : abs;
  return result.toFixed(places);
}

/** Integer placeholders, right to left; the leftmost takes every digit left over. */
function placeInteger(out: string[], tokens: Token[], layout: Layout, intText: string, value: number): void {
  const { parts, intEnd, firstIntDigit } = layout;
  let remaining = intText;
  let placed = 0;
  const group = (digit: string) => {
    const text = layout.grouping && placed > 0 && placed % 3 === 0 ? `${digit},` : digit;
    placed++;
    return text;
  };
  const empty = (p: string) => (p === '0' ? group('0') : p === '?' ? ' ' : '');
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
        if (text === '') text = empty(p);
      } else if (remaining.length > 0) {
        text = group(remaining.slice(-1));
        remaining = remaining.slice(0, -1);
      } else text = empty(p);
      out[i] = text;
    } else if (p === '%') out[i] = '%';
    else if (p === '@') out[i] = generalText(value);
    else if (p !== ',') out[i] = p;
  }
  if (firstIntDigit === -1 && intText !== '') out[0] = intText + (out[0] ?? '');
}

/** Decimal placeholders, left to right; trailing zeros under `#` vanish, under `?` become spaces. */
function placeFraction(out: string[], tokens: Token[], layout: Layout, fracDigits: string): void {
  const { parts, intEnd, mantissaEnd } = layout;
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
}

/** The exponent, padded to its `0`s, in place of `E+`/`E-`; only literals and `%` follow it. */
function placeExponent(out: string[], tokens: Token[], layout: Layout, exponent: number): void {
  const { parts, expAt } = layout;
  const expDigits = parts.slice(expAt + 1).filter((p) => p === '0').length;
  const sign = exponent < 0 ? '-' : parts[expAt] === 'E+' ? '+' : '';
  out[expAt] = `E${sign}${String(Math.abs(exponent)).padStart(expDigits, '0')}`;
  for (let i = expAt + 1; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'literal') out[i] = token.text;
    else if (token.text === '%') out[i] = '%';
  }
}
