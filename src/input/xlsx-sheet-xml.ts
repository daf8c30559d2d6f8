/**
 * What exceljs's streaming sheet reader loses of a cell, put back into the sheet's XML before it
 * reads it. It reads a formula's saved result as a number unless the cell says `t="str"`: a boolean
 * result (`t="b"`, `<v>1</v>`) becomes 1, and an empty one (`<v/>`: openpyxl's way of writing a
 * formula it did not calculate) becomes NaN, which reads like an error. So boolean cells become the
 * text TRUE or FALSE, as Excel shows them, and an empty value of a cell that is not text is dropped:
 * a formula then has no saved result, which is what it is.
 */
import { StringDecoder } from 'node:string_decoder';

/** A cell element with content (not `<c .../>`): its attributes and body. */
const CELL = /<c(\s[^>]*)?(?<!\/)>([\s\S]*?)<\/c>/g;
/** Worth looking at cell by cell: a boolean cell, or an empty value. */
const NEEDS_MENDING = /\st=["']b["']|<v\s*\/>|<v><\/v>/;
const BOOLEAN = /(\st=)["']b["']/;
/** A cell whose empty value is no value: one of no type (a number), or of type number. */
const TYPED = /\st=["']/;
const NUMERIC = /\st=["']n["']/;

/** One cell mended, as written back. */
function mendCell(attributes: string, body: string): string {
  let attrs = attributes;
  let content = body;
  if (!TYPED.test(attrs) || NUMERIC.test(attrs)) content = content.replace(/<v\s*\/>|<v><\/v>/, '');
  if (BOOLEAN.test(attrs)) {
    attrs = attrs.replace(BOOLEAN, '$1"str"');
    content = content.replace(
      /<v>\s*([^<]*?)\s*<\/v>/,
      (_, value: string) => `<v>${parseInt(value, 10) !== 0 ? 'TRUE' : 'FALSE'}</v>`,
    );
  }
  return `<c${attrs}>${content}</c>`;
}

/** The cells of complete XML mended. */
export function mendCells(xml: string): string {
  if (!NEEDS_MENDING.test(xml)) return xml;
  return xml.replace(CELL, (_, attributes: string | undefined, body: string) =>
    mendCell(attributes ?? '', body),
  );
}

/**
 * Where XML read so far may be cut without cutting a cell (or any tag) in two: before a tag that
 * is not finished, and before the last cell if it is not closed yet.
 */
export function safeEnd(xml: string): number {
  const lastOpen = xml.lastIndexOf('<');
  let end = lastOpen > xml.lastIndexOf('>') ? lastOpen : xml.length;
  for (let at = xml.lastIndexOf('<c', end - 1); at !== -1; at = at > 0 ? xml.lastIndexOf('<c', at - 1) : -1) {
    const next = xml.charAt(at + 2);
    if (next !== '>' && next !== '/' && !/\s/.test(next)) continue;
    const tagEnd = xml.indexOf('>', at);
    const selfClosed = xml.charAt(tagEnd - 1) === '/';
    if (!selfClosed && xml.indexOf('</c>', tagEnd) === -1) end = at;
    break;
  }
  return end;
}

/** The sheet's XML, chunk by chunk, mended (see above); chunks are cut only between cells. */
export async function* mendSheetXml(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of chunks) {
    const xml = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const end = safeEnd(xml);
    carry = xml.slice(end);
    if (end > 0) yield mendCells(xml.slice(0, end));
  }
  const rest = carry + decoder.end();
  if (rest !== '') yield mendCells(rest);
}
