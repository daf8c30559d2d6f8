/**
 * The date and time part of a format: a serial day number (days since 1899-12-30, the time of day
 * as its fraction) shown as years, months, days, hours, minutes and seconds the way Excel counts
 * them, its phantom 29 February 1900 included.
 */
import { partsOf, type Token } from './xlsx-format-code.js';

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

/** A serial day number as the calendar and clock read it (month and weekday from 0). */
interface Moment {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Seconds since serial 0, rounded to what the format shows: elapsed time and subseconds read it. */
  readonly totalSeconds: number;
}

/**
 * The serial day number of `date` (a cell of type `d` holds an ISO 8601 date): counted as if every
 * day since 1899-12-30 existed, which is Excel's count from March 1900 on; `formatNumber` then
 * reads the serial the way Excel does, phantom 29 February 1900 included.
 */
export function serialOf(date: Date): number {
  return (date.getTime() - EPOCH_1900) / MS_PER_DAY;
}

/** The date and time parts of a section, for a serial day number. */
export function formatDate(serial: number, tokens: Token[]): string {
  const parts = partsOf(tokens);
  const subsecond = subsecondDigits(parts);
  const moment = momentOf(serial, subsecond);
  const twelveHour = parts.includes('am/pm') || parts.includes('a/p');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'literal') out.push(token.text);
    else if (token.text === '.' && subsecond > 0 && /^s/.test(parts[i - 1] ?? '')) {
      const fraction = moment.totalSeconds - Math.floor(moment.totalSeconds);
      out.push('.' + fraction.toFixed(Math.min(3, subsecond)).slice(2));
      while (parts[i + 1] === '0') i++;
    } else out.push(partText(token.text, isMinutes(parts, i), moment, twelveHour));
  }
  return out.join('');
}

/** How many decimals of a second the section shows (`ss.000`: 3), 0 when none. */
function subsecondDigits(parts: string[]): number {
  return parts.find((p, i) => p === '.' && /^s/.test(parts[i - 1] ?? ''))
    ? parts.filter((p, i) => p === '0' && parts.slice(0, i).includes('.')).length
    : 0;
}

function momentOf(serial: number, subsecond: number): Moment {
  const unit = 10 ** -Math.min(3, subsecond);
  // Round once, to what is shown, so 23:59:59.6 becomes the next day, as in Excel.
  const totalSeconds = Math.round((serial * 86_400) / unit) * unit;
  const days = Math.floor(totalSeconds / 86_400);
  const secondsOfDay = totalSeconds - days * 86_400;
  const real = days + (days < 61 ? 1 : 0);
  const date = new Date(EPOCH_1900 + real * MS_PER_DAY);
  const [year, month, day, weekday] =
    days === 60
      ? [1900, 1, 29, 3] // the 29 February 1900 Excel believes in (a Wednesday, by its count)
      : [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCDay()];
  return {
    year,
    month,
    day,
    weekday,
    hour: Math.floor(secondsOfDay / 3600),
    minute: Math.floor((secondsOfDay % 3600) / 60),
    second: Math.floor(secondsOfDay % 60),
    totalSeconds,
  };
}

/** `m` is minutes right after an hour or right before a second, else a month. */
function isMinutes(parts: string[], i: number): boolean {
  const p = parts[i] as string;
  const prevPart = parts
    .slice(0, i)
    .reverse()
    .find((q) => q !== '' && q !== '.' && q !== '0');
  const nextPart = parts.slice(i + 1).find((q) => q !== '');
  return p.startsWith('m') && p.length <= 2 && (/^\[?h/.test(prevPart ?? '') || /^\[?s/.test(nextPart ?? ''));
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The text of one date or time part (`yyyy`, `mmm`, `hh`, `[h]`, `AM/PM`…); anything else as written. */
function partText(p: string, minutes: boolean, moment: Moment, twelveHour: boolean): string {
  const { year, month, day, weekday, hour, minute, second, totalSeconds } = moment;
  if (p.startsWith('y')) return p.length <= 2 ? pad(year % 100, 2) : String(year);
  if (p.startsWith('m') && !minutes) return monthText(p.length, month);
  if (p.startsWith('m')) return pad(minute, p.length);
  if (p.startsWith('d')) {
    const name = DAYS[weekday] as string;
    return p.length <= 2 ? pad(day, p.length) : p.length === 3 ? name.slice(0, 3) : name;
  }
  if (p.startsWith('h')) return pad(twelveHour ? hour % 12 || 12 : hour, Math.min(2, p.length));
  if (p.startsWith('s')) return pad(second, Math.min(2, p.length));
  if (p === '[h]' || p === '[hh]') return pad(Math.floor(totalSeconds / 3600), p.length - 2);
  if (p.startsWith('[m')) return pad(Math.floor(totalSeconds / 60), p.length - 2);
  if (p.startsWith('[s')) return pad(Math.floor(totalSeconds), p.length - 2);
  if (p === 'am/pm') return hour < 12 ? 'AM' : 'PM';
  if (p === 'a/p') return hour < 12 ? 'A' : 'P';
  return p;
}

/** `m` 1, `mm` 01, `mmm` Jan, `mmmm` January, `mmmmm` J. */
function monthText(width: number, month: number): string {
  const name = MONTHS[month] as string;
  if (width === 1) return String(month + 1);
  if (width === 2) return pad(month + 1, 2);
  if (width === 3) return name.slice(0, 3);
  if (width === 4) return name;
  return name.slice(0, 1);
}
