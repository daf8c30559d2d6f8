/**
 * A zip written by hand, entries in the order given: for the benchmark's workbook (shared strings
 * stored after the sheet) and for tests whose workbooks must be laid out exactly as another
 * program lays them out (openpyxl, say), which a zip library would write its own way.
 */
import { crc32, deflateRawSync } from 'node:zlib';

/**
 * The zip of `entries` (name, content) in the order given: stored, or deflated as most writers do.
 * `declared` makes the zip lie about an entry's unpacked size, as a crafted zip bomb does.
 */
export function storedZip(
  entries: readonly (readonly [string, string | Buffer])[],
  { deflate = false, declared = {} }: { deflate?: boolean; declared?: Record<string, number> } = {},
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [entryName, content] of entries) {
    const name = Buffer.from(entryName);
    const raw = Buffer.from(content);
    const crc = crc32(raw);
    const body = deflate ? deflateRawSync(raw) : raw;
    const method = deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 20 : 10, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    const size = declared[entryName] ?? raw.length;
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(deflate ? 20 : 10, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
