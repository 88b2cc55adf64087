/** The server did not answer as a server of this product does (unreachable, refused the token, 5xx). */
export class ServerError extends Error {}

/**
 * The few reads a CLI command asks of a running server, over HTTP with a bearer token. 404 is an
 * answer (undefined), anything else that is not 200 is a ServerError naming the request.
 */
export class ServerClient {
  private readonly base: string;

  constructor(url: string, private readonly token: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ServerError(`--url ${JSON.stringify(url)} is not a URL (such as http://127.0.0.1:3000)`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ServerError(`--url must be http:// or https://, got ${url}`);
    this.base = parsed.origin + parsed.pathname.replace(/\/$/, '');
  }

  get origin(): string {
    return this.base;
  }

  /** GET a JSON answer; `query` values are sent as given; undefined for 404. */
  async get<T>(path: string, query: Record<string, string | undefined> = {}, headers: Record<string, string> = {}): Promise<T | undefined> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
    const url = `${this.base}${path}${search.size ? `?${search}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...headers } });
    } catch (error) {
      throw new ServerError(`cannot reach ${url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
    }
    const text = await response.text();
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      const hint = response.status === 401 || response.status === 403 ? ' (audit-replay needs an auditor token: --token or AUDIT_TOKEN)' : '';
      throw new ServerError(`GET ${url} answered ${response.status}${hint}: ${text.slice(0, 300)}`);
    }
    return JSON.parse(text) as T;
  }
}
