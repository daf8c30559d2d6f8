/** Big malformed inputs for the fuzz test, drawn from a seed: over-long fields and lines, binary, long files torn at the end. */
import { createRandom } from '../../src/simulator/rng.js';
import { Draw, utf8, type FuzzInput } from './fuzz-draw.js';

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
