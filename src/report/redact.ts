/**
 * Keeps secrets out of everything the program writes. The secrets it knows (client secret, every
 * token it has seen) are replaced by `[redacted]`, and so is anything shaped like a bearer token or
 * a JWT, in case one arrives from somewhere we did not expect (an error message, a server's echo).
 */

// A bearer token is long; `bearer token` in a sentence is not one.
const SHAPES = [
  /(bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi,
  /\beyJ[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*){0,2}/g,
  /(client_secret=)[^&\s]+/gi,
];

/** The set of secret strings seen so far, and the function that hides them. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a secret (ignored if too short to be one, to avoid hiding ordinary words). */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 6) this.secrets.add(secret);
  }

  /**
   * `text` with every known secret and every token-shaped string replaced. A value that is not
   * text (an API answer of the wrong shape that slipped through) becomes text rather than throw:
   * a throw here, inside the results writer, lost every row after it and exited 70.
   */
  redact(text: string): string {
    let out = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    for (const shape of SHAPES)
      out = out.replace(
        shape,
        (_m, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}[redacted]`,
      );
    return out;
  }

  /** A deep copy of `value` with every string redacted. */
  redactDeep<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (depth > 5 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) return this.redact(value.message) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.redactDeep(v, depth + 1)) as T;
    const copy: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) copy[key] = this.redactDeep(v, depth + 1);
    return copy as T;
  }
}

/** The redactor of this process: everything that writes text goes through it. */
export const redactor = new Redactor();
