import { describe, expect, test } from '@jest/globals';
import { EXCERPT_LENGTH, isMarkup, pageExcerpt, textExcerpt } from '../../src/api/page-text.js';

/** Azure App Service's 502 page, as it comes from the front end (shortened). */
const APP_SERVICE_502 = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>502 - Web server received an invalid response while acting as a gateway or proxy server.</title>
<style type="text/css">
<!--
body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}
-->
</style>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
</body>
</html>`;

describe('isMarkup', () => {
  test('an HTML content type or a body that starts with a tag is markup; JSON and text are not', () => {
    expect(isMarkup('Bad gateway', 'text/html; charset=utf-8')).toBe(true);
    expect(isMarkup('  <!DOCTYPE html><html></html>', undefined)).toBe(true);
    expect(isMarkup('<?xml version="1.0"?><Error/>', 'application/xml')).toBe(true);
    expect(isMarkup('{"title":"<b>"}', 'application/json')).toBe(false);
    expect(isMarkup('Bad gateway', 'text/plain')).toBe(false);
  });
});

describe('pageExcerpt', () => {
  test("a page's title is its excerpt", () => {
    expect(pageExcerpt(APP_SERVICE_502)).toBe(
      '502 - Web server received an invalid response while acting as a gateway or proxy server.',
    );
    expect(pageExcerpt('<html><head><title>\n  502 Bad\tGateway\n</title></head></html>')).toBe(
      '502 Bad Gateway',
    );
  });

  test('without a title, the words of the page, never its markup, scripts or styles', () => {
    const page =
      '<html><head><style>h1{color:red}</style><script>var x = "<b>";</script></head>' +
      '<body><!-- generated --><h1>Service Unavailable</h1><p>The server is temporarily <b>busy</b>.</p></body></html>';
    expect(pageExcerpt(page)).toBe('Service Unavailable The server is temporarily busy .');
  });

  test('an empty title falls back to the words of the page', () => {
    expect(pageExcerpt('<html><title> </title><body><h1>Bad Gateway</h1></body></html>')).toBe('Bad Gateway');
  });

  test('character references are decoded and a tag left open at the end is dropped', () => {
    expect(pageExcerpt('<title>Fish &amp; chips &#8211; &#x2014; &lt;ok&gt; &bogus;</title>')).toBe(
      'Fish & chips – — <ok> &bogus;',
    );
    expect(pageExcerpt('<p>Gateway timeout</p><div class="unfinished')).toBe('Gateway timeout');
  });

  test('a page with no words has no excerpt', () => {
    expect(pageExcerpt('<html><head><script>x()</script></head><body> </body></html>')).toBeUndefined();
  });
});

describe('textExcerpt', () => {
  test('white space and control characters become single spaces', () => {
    expect(textExcerpt('  Bad\r\n\tRequest\u0000 here \u007f ')).toBe('Bad Request here');
    expect(textExcerpt(' \n ')).toBeUndefined();
  });

  test(`a long text is cut at a word near ${EXCERPT_LENGTH} characters and ends with an ellipsis`, () => {
    const excerpt = textExcerpt('word '.repeat(100)) ?? '';
    expect(excerpt.length).toBeLessThanOrEqual(EXCERPT_LENGTH);
    expect(excerpt).toMatch(/^(word )+word…$/);
    const unbroken = textExcerpt('x'.repeat(500)) ?? '';
    expect(unbroken).toBe(`${'x'.repeat(EXCERPT_LENGTH - 1)}…`);
  });
});
