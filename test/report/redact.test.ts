import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Redactor } from '../../src/report/redact.js';

describe('Redactor', () => {
  test('a known secret is replaced wherever it appears', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    expect(r.redact('client said s3cr3t-value twice: s3cr3t-value')).toBe(
      'client said [redacted] twice: [redacted]',
    );
  });

  test('a secret too short to be one is not remembered, so ordinary words survive', () => {
    const r = new Redactor();
    r.add('abc');
    r.add(undefined);
    expect(r.redact('abc def')).toBe('abc def');
  });

  test('anything shaped like a bearer token, a JWT or a client_secret parameter is hidden', () => {
    const r = new Redactor();
    expect(r.redact('Authorization: Bearer abcdefghijklmnop1234')).toBe('Authorization: Bearer [redacted]');
    expect(r.redact('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig')).toBe('token [redacted]');
    expect(r.redact('grant_type=x&client_secret=hunter2&scope=y')).toBe(
      'grant_type=x&client_secret=[redacted]&scope=y',
    );
  });

  test('"bearer token" in a sentence is not a token', () => {
    expect(new Redactor().redact('the bearer token expired')).toBe('the bearer token expired');
  });

  test('a value that is not text becomes text instead of throwing (an API answer of the wrong type)', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    for (const value of [42, null, undefined, ['a', 'b'], { type: 42 }]) {
      expect(() => r.redact(value as unknown as string)).not.toThrow();
      expect(typeof r.redact(value as unknown as string)).toBe('string');
    }
  });

  test('redactDeep copies objects, arrays and errors with every string redacted, and stops at depth 5', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    const input = { a: 's3cr3t-value', b: [1, 's3cr3t-value'], c: new Error('was s3cr3t-value') };
    expect(r.redactDeep(input)).toEqual({ a: '[redacted]', b: [1, '[redacted]'], c: 'was [redacted]' });
    expect(input.a).toBe('s3cr3t-value');
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: { l7: 's3cr3t-value' } } } } } } };
    expect(JSON.stringify(r.redactDeep(deep))).toContain('s3cr3t-value'); // past the depth cap: left as is
  });

  test('whatever the text around it, a known secret never survives', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 6 }), (before, after, secret) => {
        const r = new Redactor();
        r.add(secret);
        expect(r.redact(`${before}${secret}${after}`)).not.toContain(secret);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
