/**
 * The two kinds of change the program applies: their columns, the call each row makes, and the key
 * that decides which rows must never run concurrently.
 */

/** Name of a kind, as used on the command line. */
export type KindName = 'po-numbers' | 'internal-identifiers';

/** A validated row, ready to send. Ids are canonical lower-case UUIDs. */
export interface Change {
  /** Canonical values by column name, e.g. `{ customerId, subscriptionId, poNumber }`; null clears. */
  readonly values: Readonly<Record<string, string | null>>;
}

/** Everything that differs between the two kinds. */
export interface Kind {
  readonly name: KindName;
  /** The three input columns, in results-file order; the last one is the value being set. */
  readonly columns: readonly [string, string, string];
  /** Which of the columns are UUIDs, and whether an empty cell is allowed (then it means null). */
  readonly idColumns: readonly { readonly name: string; readonly optional: boolean }[];
  /** The column holding the value being set (at most 255 characters). */
  readonly valueColumn: string;
  /** Rows with the same key target the same thing: they run in file order, one at a time. */
  key(change: Change): string;
  /** The request path, relative to the base URL. */
  path(change: Change): string;
  /** The exact JSON body. */
  body(change: Change): string;
  /** The GET that reads the target's current value, relative to the base URL (its query included). */
  readPath(change: Change): string;
  /** The field of that GET's JSON answer holding the current value: a string, or null when cleared. */
  readonly readField: string;
}

const v = (change: Change, name: string): string => change.values[name] ?? '';

/**
 * `PATCH /v1/customers/{customerId}/subscriptions/{subscriptionId}/po-number`, body `"PO-42"`;
 * read back as the subscription's `poNumber`.
 */
export const poNumbers: Kind = {
  name: 'po-numbers',
  columns: ['customerId', 'subscriptionId', 'poNumber'],
  idColumns: [
    { name: 'customerId', optional: false },
    { name: 'subscriptionId', optional: false },
  ],
  valueColumn: 'poNumber',
  key: (c) => `${v(c, 'customerId')}/${v(c, 'subscriptionId')}`,
  path: (c) => `v1/customers/${v(c, 'customerId')}/subscriptions/${v(c, 'subscriptionId')}/po-number`,
  // A cleared PO number is sent as an empty string: the documented body is a JSON string, never null.
  body: (c) => JSON.stringify(c.values.poNumber ?? ''),
  readPath: (c) => `v1/customers/${v(c, 'customerId')}/subscriptions/${v(c, 'subscriptionId')}`,
  readField: 'poNumber',
};

/**
 * `PATCH /v1/Customers/{customerId}/internal-identifier`, body `{"internalIdentifier", "resellerId"}`;
 * read back as the customer's `internalIdentifier` for the row's relationship (`?resellerId=`,
 * none for the caller's own).
 */
export const internalIdentifiers: Kind = {
  name: 'internal-identifiers',
  columns: ['customerId', 'resellerId', 'internalIdentifier'],
  idColumns: [
    { name: 'customerId', optional: false },
    { name: 'resellerId', optional: true },
  ],
  valueColumn: 'internalIdentifier',
  key: (c) => `${v(c, 'customerId')}/${c.values.resellerId ?? 'csp'}`,
  path: (c) => `v1/Customers/${v(c, 'customerId')}/internal-identifier`,
  body: (c) =>
    JSON.stringify({
      internalIdentifier: c.values.internalIdentifier ?? null,
      resellerId: c.values.resellerId ?? null,
    }),
  readPath: (c) => {
    const resellerId = c.values.resellerId;
    const scope = resellerId ? `?resellerId=${encodeURIComponent(resellerId)}` : '';
    return `v1/Customers/${v(c, 'customerId')}${scope}`;
  },
  readField: 'internalIdentifier',
};

/** Both kinds, in the order `run` tries them when detecting the kind from a header. */
export const KINDS: readonly Kind[] = [poNumbers, internalIdentifiers];

/** The kind with this command-line name. */
export function kindByName(name: KindName): Kind {
  return name === 'po-numbers' ? poNumbers : internalIdentifiers;
}
