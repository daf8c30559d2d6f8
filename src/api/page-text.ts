/**
 * Short plain text from an answer that is not the API's JSON: a gateway's HTML error page (its
 * `<title>`, else the words of the page) or a plain-text body. Nothing of the markup is kept, so
 * a results cell never holds HTML.
 */

/** The most characters an excerpt keeps. */
export const EXCERPT_LENGTH = 200;

/** Only the start of a page is read: titles and error messages come first, and regexes stay cheap. */
const READ_LIMIT = 64 * 1024;

// eslint-disable-next-line no-control-regex -- control characters are what is being removed
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f-\u009f]+/g;

/** Whether a body is markup (HTML or XML) rather than text or JSON. */
export function isMarkup(body: string, contentType: string | undefined): boolean {
  if (contentType !== undefined && /^\s*(text\/html|application\/xhtml\+xml)/i.test(contentType)) return true;
  return /^\s*</.test(body);
}

/** A page's `<title>`, else the text a browser would show, as one short line; undefined if it has none. */
export function pageExcerpt(html: string): string | undefined {
  const page = html.slice(0, READ_LIMIT);
  const title = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(page)?.[1];
  const fromTitle = title === undefined ? undefined : textExcerpt(withoutTags(title));
  if (fromTitle !== undefined) return fromTitle;
  const shown = page
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(/<(head|script|style|noscript|template)\b[\s\S]*?(<\/\1\s*>|$)/gi, ' ');
  return textExcerpt(withoutTags(shown));
}

/** Plain text as one short line: control characters and runs of white space become one space. */
export function textExcerpt(text: string): string | undefined {
  const line = text.slice(0, READ_LIMIT).replace(CONTROL_OR_SPACE, ' ').trim();
  if (line === '') return undefined;
  if (line.length <= EXCERPT_LENGTH) return line;
  // Cut at a word boundary when there is one near the end, and say that the text goes on.
  const cut = line.slice(0, EXCERPT_LENGTH - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > EXCERPT_LENGTH / 2 ? cut.slice(0, space) : cut}…`;
}

/** Markup with its tags removed (a tag left open at the end too) and its character references decoded. */
function withoutTags(markup: string): string {
  return decodeEntities(markup.replace(/<[^>]*(>|$)/g, ' '));
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name.toLowerCase()] ?? whole;
    const code =
      name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
