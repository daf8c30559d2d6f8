/** Reading workbooks in the xlsx reader's tests: a workbook built with exceljs, its records, its refusal. */
import { expect } from '@jest/globals';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { InputError } from '../../src/errors.js';
import type { InputRecord } from '../../src/input/reader.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { tempDir } from './files.js';

/** A customer id for the rows. */
export const CUSTOMER = '936d7ec9-6070-4ae5-a8f4-9e72b88f7ca0';
/** A subscription id for the rows. */
export const SUBSCRIPTION = 'e29d53a5-22fe-44f2-9cf4-2bee896f4a7c';
/** The header row of a PO-number sheet. */
export const HEADER = ['Customer ID', 'Subscription ID', 'PO Number'];

/** Build a workbook with exceljs, let `fill` shape it, and save it as `name` in a new folder. */
export async function workbook(name: string, fill: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  const file = path.join(await tempDir(), name);
  await wb.xlsx.writeFile(file);
  return file;
}

/** Every record the reader yields for `file` (its `sheet`, else the first shown). */
export async function records(file: string, sheet?: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const record of readWorkbookRecords(file, path.basename(file), sheet)) out.push(record);
  return out;
}

/** The InputError reading `file` throws (fails the test if it reads fine or throws anything else). */
export async function refusal(file: string, sheet?: string): Promise<InputError> {
  try {
    await records(file, sheet);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`${file} was read without an error`);
}
