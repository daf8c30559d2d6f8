/**
 * Bearer tokens for the API. A provider hands out the current token and can be told that the API
 * refused one; whether a fresh one can then be had depends on where tokens come from.
 */

/** Where the API client gets its bearer token. */
export interface TokenProvider {
  /** The token to send now (fetching or renewing it first if needed). */
  get(): Promise<string>;
  /** The API refused `token`: forget it. Returns true if a different token can be fetched. */
  refused(token: string): boolean;
}

/** A ready token from `CLOUDCOCKPIT_TOKEN` or `--token-file`: it cannot be renewed. */
export class StaticToken implements TokenProvider {
  constructor(private readonly token: string) {}

  async get(): Promise<string> {
    return this.token;
  }

  refused(): boolean {
    return false;
  }
}
