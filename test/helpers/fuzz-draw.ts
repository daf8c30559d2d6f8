/**
 * Drawing the fuzz tests' inputs from a seeded PRNG (the simulator's mulberry32), so that a seed
 * reproduces every input exactly: the draw itself, what an input is, the flags a run may be given,
 * and a well-formed file to damage.
 */
/** Flags a fuzzed run may be given, as the command line spells them. */
export type FuzzFlags = Partial<
  Record<'encoding' | 'delimiter', string> &
    Record<'dry-run' | 'allow-clear' | 'accept-numbers' | 'keep-columns', boolean>
>;

/** What a generated input is meant to be, and whether the contract says it must be refused. */
export interface FuzzInput {
  readonly name: string;
  readonly kind: string;
  /** True when the contract requires exit 2 with nothing sent (NUL bytes, an unclosed quote…). */
  readonly mustRefuse: boolean;
  readonly bytes: Buffer;
  /** Flags for the run: forced encodings and delimiters reach other paths of the reader. */
  readonly flags: FuzzFlags;
}

/** The same flags as command-line arguments. */
export function flagArgs(flags: FuzzFlags): string[] {
  return Object.entries(flags).flatMap(([name, value]) =>
    value === true ? [`--${name}`] : typeof value === 'string' ? [`--${name}`, value] : [],
  );
}

/** Mostly no flags; sometimes a forced encoding or delimiter, a dry run, or the lenient switches. */
export function randomFlags(draw: Draw): FuzzFlags {
  if (!draw.chance(0.3)) return {};
  const flags: Record<string, string | boolean> = {};
  if (draw.chance(0.4)) flags.encoding = draw.pick(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']);
  if (draw.chance(0.4)) flags.delimiter = draw.pick(['comma', 'semicolon', 'tab', 'pipe']);
  for (const name of ['dry-run', 'allow-clear', 'accept-numbers', 'keep-columns']) {
    if (draw.chance(0.25)) flags[name] = true;
  }
  return flags as FuzzFlags;
}

/** Draw helpers over one PRNG. */
export class Draw {
  constructor(readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    // Four bytes per draw: the big inputs are megabytes long.
    for (let i = 0; i < length; i += 4) {
      const word = Math.floor(this.random() * 4294967296);
      for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (word >>> (8 * k)) & 0xff;
    }
    return out;
  }

  hex(length: number): string {
    let s = '';
    while (s.length < length)
      s += Math.floor(this.random() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, length);
  }

  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }

  text(max: number): string {
    const alphabet = 'abcXYZ0123 -_./#ÄöüßéØ€–"\',;|\t';
    let s = '';
    const length = this.int(0, max);
    for (let i = 0; i < length; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}

const HEADERS = [
  'customerId,subscriptionId,poNumber',
  'Customer ID,Subscription ID,PO Number',
  'customerId,resellerId,internalIdentifier',
  'customer_id;subscription_id;po_number',
  'Customer ID\tSubscription ID\tPO Number',
  'customerId|subscriptionId|poNumber',
];

/** A well-formed file of a few rows, with its delimiter and line ending. */
export function validCsv(
  draw: Draw,
  rows = draw.int(0, 4),
): { text: string; delimiter: string; eol: string } {
  const header = draw.pick(HEADERS);
  const delimiter = header.includes(';')
    ? ';'
    : header.includes('\t')
      ? '\t'
      : header.includes('|')
        ? '|'
        : ',';
  const eol = draw.pick(['\n', '\r\n', '\r']);
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const value = `PO-${draw.int(0, 99999)}`;
    lines.push([draw.uuid(), draw.uuid(), value].join(delimiter));
  }
  return { text: lines.join(eol) + (draw.chance(0.8) ? eol : ''), delimiter, eol };
}

/** `s` as UTF-8 bytes. */
export const utf8 = (s: string) => Buffer.from(s, 'utf8');
