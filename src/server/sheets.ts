/**
 * The worksheets of an uploaded workbook, so the page can offer a choice when there are several.
 * Only `xl/workbook.xml` is read (a few kB, whatever the size of the sheets); the reading itself
 * stays the input stage's.
 */
import yauzl from 'yauzl';

/** The workbook part is small; a bigger one is not a workbook we can offer sheets of. */
const MAX_WORKBOOK_PART = 4 * 1024 * 1024;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's escapes in an attribute value. */
function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

/** The visible sheets named in a workbook part's `<sheet name="…" state="…"/>` elements, in order. */
export function visibleSheets(xml: string): string[] {
  const names: string[] = [];
  for (const [element] of xml.matchAll(/<(?:\w+:)?sheet\s[^>]*>/g)) {
    const name = /\sname="([^"]*)"/.exec(element)?.[1];
    const state = /\sstate="([^"]*)"/.exec(element)?.[1];
    if (name !== undefined && (state === undefined || state === 'visible')) names.push(unescapeXml(name));
  }
  return names;
}

/** The text of one zip entry, or undefined if the file has no such entry (or is no zip). */
function readEntry(file: string, wanted: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, zip) => {
      if (error || !zip) return resolve(undefined);
      zip.on('error', () => resolve(undefined));
      zip.on('end', () => resolve(undefined));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== wanted || entry.uncompressedSize > MAX_WORKBOOK_PART) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return resolve(undefined);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', () => resolve(undefined));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** The visible sheets of the workbook `file`, in the workbook's order ([] when it cannot tell). */
export async function workbookSheets(file: string): Promise<string[]> {
  const xml = await readEntry(file, 'xl/workbook.xml');
  return xml === undefined ? [] : visibleSheets(xml);
}
