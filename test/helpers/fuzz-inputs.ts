/**
 * Generated malformed inputs for the fuzz test: each a name, a kind and its bytes, drawn from a
 * seeded PRNG (the simulator's mulberry32) so that a seed reproduces every input exactly.
 */
import { createRandom } from '../../src/simulator/rng.js';

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
function randomFlags(draw: Draw): FuzzFlags {
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

/** One input; `flags` when its verdict depends on them (else they are drawn at random). */
type Generator = (draw: Draw) => {
  kind: string;
  mustRefuse: boolean;
  bytes: Buffer;
  ext?: string;
  flags?: FuzzFlags;
};

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** The small generators: each call one input of its kind. */
export const GENERATORS: readonly Generator[] = [
  (d) => ({ kind: 'random bytes', mustRefuse: true, bytes: d.bytes(d.int(1, 3000)) }),
  (d) => ({ kind: 'random printable text', mustRefuse: true, bytes: utf8(d.text(400).replace(/\s/g, 'x')) }),
  (d) => {
    // An opening quote that never closes, in the last row: the file is torn.
    const { text, delimiter, eol } = validCsv(d, d.int(1, 4));
    const body = text.endsWith(eol) ? text.slice(0, -eol.length) : text;
    return {
      kind: 'unclosed quote',
      mustRefuse: true,
      bytes: utf8(
        `${body}${eol}${d.uuid()}${delimiter}${d.uuid()}${delimiter}"PO ${d.text(20).replace(/"/g, '')}${eol}`,
      ),
    };
  },
  (d) => {
    // Quotes thrown in at random places of a valid file.
    const { text } = validCsv(d, d.int(1, 4));
    const chars = [...text];
    for (let i = d.int(1, 4); i > 0; i--) chars.splice(d.int(0, chars.length), 0, '"');
    return { kind: 'torn quotes', mustRefuse: false, bytes: utf8(chars.join('')) };
  },
  (d) => {
    const { text } = validCsv(d, d.int(1, 4));
    const at = d.int(0, text.length);
    return {
      kind: 'NUL byte',
      mustRefuse: true,
      bytes: Buffer.concat([utf8(text.slice(0, at)), Buffer.alloc(d.int(1, 3)), utf8(text.slice(at))]),
    };
  },
  (d) => {
    // Rows split by another delimiter than the header's.
    const { text, delimiter, eol } = validCsv(d, 0);
    const other = d.pick([',', ';', '\t', '|'].filter((x) => x !== delimiter));
    const rows = Array.from({ length: d.int(1, 4) }, () =>
      [d.uuid(), d.uuid(), `PO-${d.int(0, 999)}`].join(d.chance(0.5) ? other : delimiter),
    );
    return {
      kind: 'mixed delimiters',
      mustRefuse: false,
      bytes: utf8(text.trimEnd() + eol + rows.join(eol) + eol),
    };
  },
  (d) => {
    // A multi-byte character cut short, at the end or in the middle.
    const { text } = validCsv(d, d.int(1, 3));
    const cut = utf8(`${text}Müller-€`).subarray(0, -1);
    const bytes = d.chance(0.5) ? cut : Buffer.concat([cut, utf8(`,x\n${d.uuid()},${d.uuid()},PO\n`)]);
    return { kind: 'truncated UTF-8', mustRefuse: false, bytes };
  },
  (d) => {
    const bom = d.pick([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from([0xff, 0xfe]),
      Buffer.from([0xfe, 0xff]),
      Buffer.from([0xff, 0xfe, 0x00, 0x00]),
    ]);
    return { kind: 'BOM + garbage', mustRefuse: true, bytes: Buffer.concat([bom, d.bytes(d.int(0, 2000))]) };
  },
  (d) => {
    // A valid header, then rows broken in every way a row can be.
    const { text, delimiter, eol } = validCsv(d, 0);
    const rows = Array.from({ length: d.int(1, 6) }, () => {
      const cells = [d.uuid(), d.uuid(), d.text(30).replace(/["\r\n]/g, '')];
      const shape = d.int(0, 5);
      if (shape === 0) return cells.slice(0, d.int(0, 2)).join(delimiter);
      if (shape === 1) return [...cells, ...cells].join(delimiter);
      if (shape === 2) return cells.join(delimiter).slice(0, d.int(0, 60));
      if (shape === 3) return [d.text(10), d.text(10), d.text(10)].join(delimiter).replace(/["\r\n]/g, '');
      if (shape === 4)
        return `${cells[0]}${delimiter}{${(cells[1] as string).toUpperCase()}}${delimiter}${cells[2]}`;
      return cells.join(delimiter) + delimiter.repeat(d.int(1, 5));
    });
    return {
      kind: 'valid header, broken rows',
      mustRefuse: false,
      bytes: utf8(text.trimEnd() + eol + rows.join(eol) + eol),
    };
  },
  (d) => ({
    kind: 'empty or blank',
    mustRefuse: true,
    bytes: utf8(d.pick(['', '\n', '\r\n', '   ', '\n\n\n', ',,,\n,,,', '\t\t\n', '"" \n'])),
  }),
  (d) => ({ kind: 'only a header', mustRefuse: false, bytes: utf8(validCsv(d, 0).text) }),
  (d) => {
    // Bit flips, deletions and insertions in a valid file.
    const bytes = Buffer.from(utf8(validCsv(d, d.int(1, 4)).text));
    for (let i = d.int(1, 6); i > 0 && bytes.length > 0; i--) {
      const at = d.int(0, bytes.length - 1);
      bytes[at] = (bytes[at] as number) ^ (1 << d.int(0, 7));
    }
    return { kind: 'bit flips', mustRefuse: false, bytes };
  },
  (d) => {
    // UTF-16 without its byte-order mark, or with an odd number of bytes.
    const text = validCsv(d, d.int(1, 3)).text;
    const le = Buffer.from(text, 'utf16le');
    const bytes = d.chance(0.5) ? le : Buffer.concat([Buffer.from([0xff, 0xfe]), le.subarray(0, -1)]);
    return { kind: 'UTF-16 damaged', mustRefuse: false, bytes };
  },
  (d) => {
    // Thousands of columns in the header or in a row.
    const { text, delimiter, eol } = validCsv(d, d.int(0, 2));
    const many = Array.from({ length: d.int(1000, 5000) }, (_, i) => `c${i}`).join(delimiter);
    const bytes = d.chance(0.5)
      ? utf8(many + eol + text)
      : utf8(
          text.trimEnd() + eol + `${d.uuid()}${delimiter}${d.uuid()}${delimiter}PO${delimiter}${many}` + eol,
        );
    return { kind: 'thousands of columns', mustRefuse: false, bytes };
  },
  (d) => {
    // Line endings in every combination, and quoted cells holding them.
    const { delimiter } = validCsv(d, 0);
    const eols = ['\n', '\r\n', '\r', '\n\r', '\r\r\n'];
    const header = ['customerId', 'subscriptionId', 'poNumber'].join(delimiter);
    const rows = Array.from(
      { length: d.int(1, 4) },
      () => `${d.uuid()}${delimiter}${d.uuid()}${delimiter}"PO${d.pick(eols)}${d.int(0, 99)}"`,
    );
    return {
      kind: 'mixed line endings',
      mustRefuse: false,
      bytes: utf8([header, ...rows].map((r) => r + d.pick(eols)).join('')),
    };
  },
  (d) => {
    // UTF-8 text with a byte of another encoding in one value (Windows-1252's "ü", say) and UTF-8
    // beyond ASCII in another: refused, unless --encoding says what the file is.
    const rows = d.int(2, 5);
    const stray = d.int(1, rows);
    const accented = stray === 1 ? 2 : 1;
    const parts: Buffer[] = [utf8(`${d.chance(0.3) ? '\ufeff' : ''}customerId,subscriptionId,poNumber\n`)];
    for (let i = 1; i <= rows; i++) {
      const ids = `${d.uuid()},${d.uuid()},`;
      if (i === stray) parts.push(utf8(`${ids}Gr`), Buffer.from([d.int(0x80, 0xff)]), utf8('n\n'));
      else
        parts.push(
          utf8(`${ids}${i === accented ? d.pick(['Müller', 'Straße 5 – Büro €', 'Ø-17']) : `PO-${i}`}\n`),
        );
    }
    const forced = d.chance(0.3);
    return {
      kind: 'mixed encodings',
      mustRefuse: !forced,
      bytes: Buffer.concat(parts),
      flags: forced ? { encoding: 'windows-1252' } : {},
    };
  },
  (d) => {
    // UTF-16 with its byte-order mark, broken by a surrogate alone: refused at its line.
    const { text } = validCsv(d, d.int(1, 4));
    const le = d.chance(0.5);
    const body = Buffer.from(`\ufeff${text}`, 'utf16le');
    const at = 2 * d.int(1, body.length / 2 - 1);
    const bytes = Buffer.concat([
      body.subarray(0, at),
      Buffer.from([0x00, 0xd8, 0x41, 0x00]),
      body.subarray(at),
    ]);
    return {
      kind: 'UTF-16 with a lone surrogate',
      mustRefuse: true,
      bytes: le ? bytes : bytes.swap16(),
      flags: {},
    };
  },
  (d) => ({
    kind: 'zip header + garbage',
    mustRefuse: true,
    bytes: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), d.bytes(d.int(0, 2000))]),
    ext: d.pick(['.xlsx', '.csv']),
  }),
];

/** `count` small inputs from `seed`, cycling through every generator. */
export function smallInputs(seed: number, count: number): FuzzInput[] {
  const draw = new Draw(createRandom(seed));
  return Array.from({ length: count }, (_, i) => {
    const generator = GENERATORS[i % GENERATORS.length] as Generator;
    const { kind, mustRefuse, bytes, ext, flags } = generator(draw);
    return {
      name: `${String(i).padStart(5, '0')}-${kind.replace(/[^a-z0-9]+/gi, '-')}${ext ?? '.csv'}`,
      kind,
      mustRefuse,
      bytes,
      flags: flags ?? randomFlags(draw),
    };
  });
}

/** A handful of big inputs: over-long fields, a huge binary file, a long valid file torn at its end. */
export function bigInputs(seed: number): FuzzInput[] {
  const draw = new Draw(createRandom(seed ^ 0x5bd1e995));
  const header = 'customerId,subscriptionId,poNumber\n';
  const row = () => `${draw.uuid()},${draw.uuid()},PO-${draw.int(0, 99999)}\n`;
  const manyRows = (n: number) => Array.from({ length: n }, row).join('');
  return [
    {
      name: 'big-unquoted-field.csv',
      kind: 'huge unquoted field (2 MiB)',
      mustRefuse: true,
      bytes: utf8(`${header}${draw.uuid()},${draw.uuid()},${'9'.repeat(2 << 20)}\n`),
    },
    {
      name: 'big-quoted-field.csv',
      kind: 'huge quoted field with line breaks (1.5 MiB)',
      mustRefuse: true,
      bytes: utf8(`${header}${draw.uuid()},${draw.uuid()},"${'ab\ncd\r\n'.repeat(220_000)}"\n`),
    },
    {
      name: 'big-header-line.csv',
      kind: 'a 3 MiB header line without a line break',
      mustRefuse: true,
      bytes: utf8('customerId,'.repeat(300_000)),
    },
    {
      name: 'big-binary.csv',
      kind: 'binary (4 MiB)',
      mustRefuse: true,
      bytes: draw.bytes(4 << 20),
    },
    {
      name: 'big-columns.csv',
      kind: 'a row of 100,000 cells',
      mustRefuse: false,
      bytes: utf8(`${header}${draw.uuid()},${draw.uuid()},PO${',x'.repeat(100_000)}\n`),
    },
    {
      name: 'big-torn-at-end.csv',
      kind: '10,000 valid rows, then an unclosed quote',
      mustRefuse: true,
      bytes: utf8(`${header}${manyRows(10_000)}${draw.uuid()},${draw.uuid()},"PO-torn\n`),
    },
    {
      name: 'big-nul-at-end.csv',
      kind: '10,000 valid rows, then a NUL byte',
      mustRefuse: true,
      bytes: Buffer.concat([utf8(`${header}${manyRows(10_000)}`), Buffer.from([0]), utf8(row())]),
    },
    {
      name: 'big-mixed-encoding-at-end.csv',
      kind: '10,000 UTF-8 rows with accents, then one Windows-1252 byte',
      mustRefuse: true,
      bytes: Buffer.concat([
        utf8(`${header}${manyRows(5_000)}${draw.uuid()},${draw.uuid()},Müller\n${manyRows(5_000)}`),
        utf8(`${draw.uuid()},${draw.uuid()},Gr`),
        Buffer.from([0xfc]),
        utf8('n\n'),
      ]),
    },
    {
      name: 'big-windows-1252.csv',
      kind: '10,000 rows in Windows-1252 alone (read as such)',
      mustRefuse: false,
      bytes: Buffer.concat([
        utf8(`${header}${manyRows(10_000)}`),
        Buffer.from(`${draw.uuid()},${draw.uuid()},Gr\xfcn\n`, 'latin1'),
      ]),
    },
    {
      name: 'big-blank-lines.csv',
      kind: '20,000 blank lines around a header and a row',
      mustRefuse: false,
      bytes: utf8(`${'\r\n'.repeat(10_000)}${header}${',,\n'.repeat(10_000)}${row()}`),
    },
  ].map((input) => ({ ...input, flags: {} }));
}

/** How a file is changed while a run reads it. */
export type Change = 'overwritten' | 'cut short' | 'grown' | 'replaced' | 'touched' | 'one byte flipped';

/** A valid file to change during its run: its rows, and when and how it changes. */
export interface ChangingInput {
  readonly name: string;
  readonly rows: readonly { readonly customerId: string; readonly value: string }[];
  readonly bytes: Buffer;
  readonly change: Change;
  /** Change it once this many requests were sent (0: at once, perhaps while it is checked). */
  readonly after: number;
  /** New rows for a change that writes any; every value starts with NEW-. */
  readonly other: string;
  /** Where the change cuts or flips. */
  readonly offset: number;
}

/** `count` files from `seed` to change while they are read, every kind of change in turn. */
export function changingInputs(seed: number, count: number): ChangingInput[] {
  const draw = new Draw(createRandom(seed ^ 0x27d4eb2d));
  const changes: Change[] = ['overwritten', 'cut short', 'grown', 'replaced', 'touched', 'one byte flipped'];
  return Array.from({ length: count }, (_, i) => {
    // Every other round of changes on files longer than the reader reads ahead (about a megabyte),
    // so that rows not yet read when the file changes are read from the changed bytes, or not at all.
    const long = Math.floor(i / changes.length) % 2 === 1;
    const rows = Array.from({ length: long ? draw.int(20_000, 25_000) : draw.int(20, 1_500) }, (_, n) => ({
      customerId: draw.uuid(),
      value: `PO-${i}-${n}`,
    }));
    const bytes = utf8(
      [
        'customerId,subscriptionId,poNumber',
        ...rows.map((r) => `${r.customerId},${draw.uuid()},${r.value}`),
      ].join('\n') + '\n',
    );
    const other = Array.from(
      { length: draw.int(1, 2_000) },
      (_, n) => `${draw.uuid()},${draw.uuid()},NEW-${n}`,
    );
    return {
      name: `changing-${String(i).padStart(3, '0')}.csv`,
      rows,
      bytes,
      change: changes[i % changes.length] as Change,
      // At once only for a short file: a long one, checked as it was changed, would run to its end.
      after: rows.length < 2_000 && draw.chance(0.3) ? 0 : draw.int(1, Math.min(rows.length, 2_000)),
      other: `customerId,subscriptionId,poNumber\n${other.join('\n')}\n`,
      offset: draw.int(0, bytes.length - 1),
    };
  });
}
