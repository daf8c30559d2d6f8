/**
 * Refusing what is not an .xlsx before the zip is opened, with the reason a person can act on: an
 * empty file, a zip with nothing in it, a password-protected workbook or an old .xls (both OLE
 * containers, not zips), or anything else that is not a zip.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../errors.js';

const ZIP = Buffer.from('PK\x03\x04', 'latin1');
const EMPTY_ZIP = Buffer.from('PK\x05\x06', 'latin1');
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** The stream an encrypted OOXML file keeps inside its OLE container, as named in its directory. */
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

/** A file-system error as an `InputError` a person can act on. */
function unreadable(displayName: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new InputError(displayName, `cannot be read (${code}): check the path and its permissions`);
}

/** Whether the bytes of `file` contain `needle` anywhere (read as a stream, never whole). */
async function contains(file: string, needle: Buffer): Promise<boolean> {
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    const window = Buffer.concat([tail, chunk]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}

/**
 * Refuse what is not an .xlsx before opening it as a zip, with the reason a person can act on:
 * a password-protected workbook is not a zip but an OLE container, and so is an old .xls.
 */
export async function checkContainer(file: string, displayName: string): Promise<void> {
  const head = Buffer.alloc(8);
  let bytesRead: number;
  try {
    const handle = await open(file, 'r');
    try {
      ({ bytesRead } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(displayName, error);
  }
  if (bytesRead === 0) throw new InputError(displayName, 'is empty: expected an .xlsx workbook');
  if (head.subarray(0, 4).equals(ZIP)) return;
  if (head.subarray(0, 4).equals(EMPTY_ZIP)) {
    throw new InputError(displayName, 'is an empty zip archive, not an .xlsx workbook');
  }
  if (bytesRead === 8 && head.equals(OLE)) {
    if (await contains(file, ENCRYPTED_PACKAGE)) {
      throw new InputError(
        displayName,
        'is protected with a password (encrypted): open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), save, and try again',
      );
    }
    throw new InputError(
      displayName,
      'is an Excel 97-2003 workbook (.xls), not .xlsx: open it in Excel and save it as .xlsx or CSV UTF-8',
    );
  }
  throw new InputError(displayName, 'is not an .xlsx workbook (it is not a zip archive)');
}
