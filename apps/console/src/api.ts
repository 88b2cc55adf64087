// The console's only way to the server: the /v1 API with the token of this tab.

const TOKEN_KEY = 'agreements.token';
/** Dispatched on window when a call finds the tab's token refused. */
export const SIGNED_OUT = 'agreements:signed-out';
const ROLE_KEY = 'agreements.session';

export type Role = 'reader' | 'operator' | 'auditor';
export interface Session {
  name: string;
  role: Role;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** An answer in the contract's error shape (or a network failure said the same way). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The per-field problems of a VALIDATION_FAILED answer, field paths as the server wrote them. */
  get fieldProblems(): FieldProblem[] {
    return Array.isArray(this.details)
      ? this.details.filter((d): d is FieldProblem => typeof d?.field === 'string' && typeof d?.message === 'string')
      : [];
  }
}

/** The token lives in sessionStorage: this tab only, gone when it closes. */
export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  session(): Session | null {
    const text = sessionStorage.getItem(ROLE_KEY);
    return text ? (JSON.parse(text) as Session) : null;
  },
  set(token: string, session: Session): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(ROLE_KEY, JSON.stringify(session));
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ROLE_KEY);
  },
};

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const token = init.token ?? tokenStore.get();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `The server did not answer (${(err as Error).message})`);
  }
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = body?.error;
    // The tab's token stopped working (the server's keys changed): back to sign-in.
    if (response.status === 401 && !init.token && tokenStore.get()) {
      tokenStore.clear();
      window.dispatchEvent(new Event(SIGNED_OUT));
    }
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (text || response.statusText), error?.details);
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

export const get = async <T = any>(path: string): Promise<T> => (await call<T>(path)).body;

/** Query string of the non-empty values, in the order given. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A v4 UUID for commandId; crypto.randomUUID exists only in secure contexts (https, localhost). */
export function newCommandId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
