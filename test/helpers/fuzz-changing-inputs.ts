/** Valid files for the fuzz test to change while a run reads them, drawn from a seed, every kind of change in turn. */
import { createRandom } from '../../src/simulator/rng.js';
import { Draw, utf8 } from './fuzz-draw.js';

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
