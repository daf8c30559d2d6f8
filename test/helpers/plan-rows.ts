/** Rows for the plan, skip and verify end-to-end tests: targets of the sample world and an open one, and files of them. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SAMPLE_WORLD } from '../../src/simulator/world.js';
import { dir } from './e2e.js';

const { contoso, fabrikam, adatum } = SAMPLE_WORLD.customers;
/** The header of a PO-number file. */
export const HEADER = 'customerId,subscriptionId,poNumber';
/** Contoso's Microsoft 365 E3: a target key. */
export const E3 = `${contoso.id}/${contoso.subscriptions.microsoft365E3}`;
/** Contoso's Azure plan. */
export const AZURE = `${contoso.id}/${contoso.subscriptions.azurePlan}`;
/** Fabrikam's Microsoft 365 Business Premium. */
export const PREMIUM = `${fabrikam.id}/${fabrikam.subscriptions.microsoft365BusinessPremium}`;
/** Adatum's Microsoft 365 E5. */
export const E5 = `${adatum.id}/${adatum.subscriptions.microsoft365E5}`;

/** The line of a row setting `key` (customer/subscription) to `value`. */
export const row = (key: string, value: string): string => `${key.replace('/', ',')},${value}`;

/** Write a PO-number file `name` of `lines` under the header in this test's folder; returns its path. */
export async function input(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, [HEADER, ...lines].join('\r\n') + '\r\n');
  return file;
}

/** `count` distinct subscriptions of an open world (every well-formed id exists there). */
export function keys(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      `${'c'.repeat(8)}-0000-4000-8000-${String(i).padStart(12, '0')}/${'d'.repeat(8)}-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
}
