/**
 * Minimal OLE compound files (the container of .xls files and of password-protected .xlsx files),
 * written by hand so tests need no Office tools. A password-protected workbook is an OLE file whose
 * streams are `EncryptionInfo` and `EncryptedPackage` (MS-OFFCRYPTO 2.3.4); an .xls holds `Workbook`.
 */

const SECTOR = 512;
const FREE = 0xffffffff;
const END_OF_CHAIN = 0xfffffffe;
const FAT_SECTOR = 0xfffffffd;
const NO_STREAM = 0xffffffff;
/** Streams shorter than this must live in the mini stream; all here are at least this long, so none do. */
const MIN_STREAM = 4096;

function directoryEntry(
  name: string,
  type: number,
  links: { left?: number; right?: number; child?: number },
  start: number,
  size: number,
): Buffer {
  const entry = Buffer.alloc(128);
  entry.write(name, 0, 'utf16le');
  entry.writeUInt16LE((name.length + 1) * 2, 64);
  entry.writeUInt8(type, 66);
  entry.writeUInt8(1, 67); // black: a valid red-black tree for so few entries
  entry.writeUInt32LE(links.left ?? NO_STREAM, 68);
  entry.writeUInt32LE(links.right ?? NO_STREAM, 72);
  entry.writeUInt32LE(links.child ?? NO_STREAM, 76);
  entry.writeUInt32LE(start, 116);
  entry.writeUInt32LE(size, 120);
  return entry;
}

/** An OLE compound file (version 3, 512-byte sectors) holding `streams` (name → content) under the root. */
export function oleFile(streams: Record<string, Buffer>): Buffer {
  const names = Object.keys(streams);
  if (names.length > 3) throw new Error('oleFile: at most 3 streams (one directory sector)');
  const contents = names.map((n) => {
    const data = streams[n] as Buffer;
    if (data.length < MIN_STREAM) throw new Error(`oleFile: stream ${n} is shorter than ${MIN_STREAM} bytes`);
    const padded = Buffer.alloc(Math.ceil(data.length / SECTOR) * SECTOR);
    data.copy(padded);
    return padded;
  });
  const fat = new Array<number>(SECTOR / 4).fill(FREE);
  fat[0] = FAT_SECTOR;
  fat[1] = END_OF_CHAIN; // the directory
  let next = 2;
  const starts = contents.map((c) => {
    const start = next;
    const count = c.length / SECTOR;
    for (let i = 0; i < count; i++) fat[start + i] = i === count - 1 ? END_OF_CHAIN : start + i + 1;
    next += count;
    return start;
  });
  if (next > fat.length) throw new Error('oleFile: streams too long for one FAT sector');

  const header = Buffer.alloc(SECTOR);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x003e, 24); // minor version
  header.writeUInt16LE(0x0003, 26); // major version 3
  header.writeUInt16LE(0xfffe, 28); // little-endian
  header.writeUInt16LE(9, 30); // 512-byte sectors
  header.writeUInt16LE(6, 32); // 64-byte mini sectors
  header.writeUInt32LE(1, 44); // FAT sectors
  header.writeUInt32LE(1, 48); // first directory sector
  header.writeUInt32LE(MIN_STREAM, 56);
  header.writeUInt32LE(END_OF_CHAIN, 60); // no mini FAT
  header.writeUInt32LE(END_OF_CHAIN, 68); // no DIFAT sectors
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : FREE, 76 + i * 4);

  const fatSector = Buffer.alloc(SECTOR);
  fat.forEach((v, i) => fatSector.writeUInt32LE(v, i * 4));

  // Siblings form a chain to the right, sorted as the format wants: by length, then by name.
  const order = names
    .map((n, i) => ({ n, i }))
    .sort((a, b) => a.n.length - b.n.length || a.n.toUpperCase().localeCompare(b.n.toUpperCase()));
  const entries = [
    directoryEntry('Root Entry', 5, order[0] === undefined ? {} : { child: order[0].i + 1 }, END_OF_CHAIN, 0),
  ];
  names.forEach((n, i) => {
    const rank = order.findIndex((o) => o.i === i);
    const right = order[rank + 1];
    entries.push(
      directoryEntry(
        n,
        2,
        right ? { right: right.i + 1 } : {},
        starts[i] as number,
        (streams[n] as Buffer).length,
      ),
    );
  });
  while (entries.length < 4) entries.push(directoryEntry('', 0, {}, 0, 0));
  return Buffer.concat([header, fatSector, ...entries, ...contents]);
}

/** The container Excel writes for a password-protected .xlsx (the encrypted bytes here are random filler). */
export function encryptedWorkbook(): Buffer {
  const info = Buffer.alloc(MIN_STREAM, ' ');
  Buffer.from([0x04, 0x00, 0x04, 0x00, 0x40, 0x00, 0x00, 0x00]).copy(info, 0); // Agile encryption, version 4.4
  // The shape of Excel's Agile descriptor; the salts and keys are filler (nothing here decrypts).
  const filler = Buffer.alloc(16, 0x2a).toString('base64');
  info.write(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
      '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">' +
      `<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="${filler}"/>` +
      `<dataIntegrity encryptedHmacKey="${filler}" encryptedHmacValue="${filler}"/>` +
      '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">' +
      `<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="${filler}" encryptedVerifierHashInput="${filler}" encryptedVerifierHashValue="${filler}" encryptedKeyValue="${filler}"/>` +
      '</keyEncryptor></keyEncryptors></encryption>',
    8,
  );
  const pkg = Buffer.alloc(MIN_STREAM);
  pkg.writeBigUInt64LE(4000n, 0);
  for (let i = 8; i < pkg.length; i++) pkg[i] = (i * 131 + 7) & 0xff;
  return oleFile({ EncryptionInfo: info, EncryptedPackage: pkg });
}

/** An OLE file shaped like an Excel 97-2003 .xls (a `Workbook` stream of filler). */
export function legacyWorkbook(): Buffer {
  const workbook = Buffer.alloc(MIN_STREAM);
  // A BOF record (type 0x0809, BIFF8), as every .xls workbook stream starts.
  Buffer.from([0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00]).copy(workbook, 0);
  return oleFile({ Workbook: workbook });
}
