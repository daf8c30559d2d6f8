/**
 * Generated malformed inputs for the fuzz test: each a name, a kind and its bytes, drawn from a
 * seeded PRNG (the simulator's mulberry32) so that a seed reproduces every input exactly.
 */
import { createRandom } from '../../src/simulator/rng.js';
import { Draw, randomFlags, utf8, validCsv, type FuzzFlags, type FuzzInput } from './fuzz-draw.js';

/** One input; `flags` when its verdict depends on them (else they are drawn at random). */
type Generator = (draw: Draw) => {
  kind: string;
  mustRefuse: boolean;
  bytes: Buffer;
  ext?: string;
  flags?: FuzzFlags;
};

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
