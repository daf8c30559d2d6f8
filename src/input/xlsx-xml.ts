/**
 * A workbook part's XML read as a stream with saxes: the handlers see each element's local name
 * (writers differ in prefixes: `<x:c>` from the Open XML SDK, `<c>` from Excel), its attributes and
 * its text, chunk by chunk, so a part of any size is read without being held.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';

/** What a part's reader does with its elements. */
export interface XmlHandlers {
  /** An element opens: its local name and attributes (names as written, prefix and all). */
  open?(name: string, attributes: Readonly<Record<string, string>>): void;
  /** Text (entities resolved, CDATA too) inside the innermost open element. */
  text?(text: string): void;
  /** An element closes (a self-closing one too, right after it opens). */
  close?(name: string): void;
}

/** A name without its namespace prefix. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** The value of attribute `local` whatever its prefix (`r:id`, `ns1:id`), but not the unprefixed one. */
export function prefixedAttribute(
  attributes: Readonly<Record<string, string>>,
  local: string,
): string | undefined {
  for (const [name, value] of Object.entries(attributes)) {
    if (name.includes(':') && localName(name) === local) return value;
  }
  return undefined;
}

function parser(handlers: XmlHandlers): SaxesParser {
  const sax = new SaxesParser({ xmlns: false, position: false });
  const { open, text, close } = handlers;
  if (open) sax.on('opentag', (tag) => open(localName(tag.name), tag.attributes as Record<string, string>));
  if (text) {
    sax.on('text', text);
    sax.on('cdata', text);
  }
  if (close) sax.on('closetag', (tag) => close(localName(tag.name)));
  return sax;
}

/**
 * Feed `stream`'s XML to `handlers`, yielding after each chunk so the caller can hand on what the
 * chunk completed before more is read (the stream is paused meanwhile). Malformed XML throws.
 */
export async function* parseXmlChunks(stream: Readable, handlers: XmlHandlers): AsyncGenerator<void> {
  const sax = parser(handlers);
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text = decoder.write(chunk);
    // A byte-order mark is no XML: saxes refuses it before the declaration.
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    sax.write(text);
    yield;
  }
  sax.write(decoder.end());
  sax.close();
  yield;
}

/** Feed all of `stream`'s XML to `handlers`. */
export async function parseXml(stream: Readable, handlers: XmlHandlers): Promise<void> {
  for await (const _ of parseXmlChunks(stream, handlers));
}
