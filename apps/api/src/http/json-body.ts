import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationFailed } from '@agreements/application';

/** Deeper than any command the catalogue has; what is deeper is refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const bodyRefused = (message: string) => validationFailed([{ field: 'body', message }], `The body is not valid: ${message}`);

/** Where JSON.parse stopped: V8 names the position in most messages, and this finds it for the rest. */
export function jsonErrorPosition(text: string, message: string): number {
  const named = / at position (\d+)/.exec(message);
  if (named) return Number(named[1]);
  // A prefix is "viable" while the text up to it could still become JSON; the first character
  // that makes it not viable is the error. Binary search: about 18 parses for 256 KiB.
  const viable = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (err) {
      const m = (err as Error).message;
      if (m.startsWith('Unexpected end of JSON input')) return true;
      const at = / at position (\d+)/.exec(m);
      return at !== null && Number(at[1]) >= length;
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (viable(mid)) lo = mid;
    else hi = mid - 1;
  }
  return Math.min(lo, Math.max(0, text.length - 1));
}

/** The deepest nesting of arrays and objects, counted without recursion (stops at `limit` + 1). */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * application/json bodies: strict UTF-8 (invalid bytes are refused, never stored as U+FFFD),
 * Fastify's own parser (it refuses __proto__ and constructor.prototype keys), malformed JSON
 * refused naming the position, and nesting beyond MAX_JSON_DEPTH refused before anything (the
 * request hash, the validator) walks it.
 */
export function registerJsonBody(fastify: FastifyInstance, bodyLimit: number): void {
  const secureParse = fastify.getDefaultJsonParser('error', 'error');
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (request: FastifyRequest, body: Buffer | string, done: (err: Error | null, value?: unknown) => void) => {
      let text: string;
      try {
        text = typeof body === 'string' ? body : strictUtf8.decode(body);
      } catch {
        return done(bodyRefused('is not valid UTF-8'));
      }
      secureParse(request, text, (err: Error | null, value?: unknown) => {
        if (err) {
          if (err instanceof RangeError) return done(bodyRefused(`nests deeper than ${MAX_JSON_DEPTH} levels`));
          if ((err as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return done(err);
          if (/forbidden prototype|constructor/i.test(err.message)) return done(bodyRefused('holds a __proto__ or constructor.prototype key'));
          const reason = err.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+$/, '');
          return done(bodyRefused(`is not valid JSON: ${reason.slice(0, 200)} at position ${jsonErrorPosition(text, err.message)}`));
        }
        if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return done(bodyRefused(`nests deeper than ${MAX_JSON_DEPTH} levels`));
        done(null, value);
      });
    },
  );
}
