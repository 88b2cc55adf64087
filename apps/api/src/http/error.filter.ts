import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Refusal, refusalOf } from '@agreements/application';
import { ApiError, errorBody } from './api-error';

const HTTP_CODES: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'UNAVAILABLE',
};

/**
 * Turns anything thrown while answering into the contract's error body. Kept apart from the
 * controllers so every route, and Fastify's own parsing errors, answer the same way.
 */
export function toApiError(err: unknown, request?: FastifyRequest): Refusal {
  // What the command path refuses (and the refusals the HTTP layer raises itself).
  const expectedFromIfMatch = (request as { expectedFromIfMatch?: boolean } | undefined)?.expectedFromIfMatch === true;
  const refusal = refusalOf(err, { expectedFromIfMatch });
  if (refusal) return refusal;
  const fastifyCode = (err as { code?: string })?.code;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 256 KiB');
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new ApiError(400, 'VALIDATION_FAILED', 'The body is empty: send a JSON object', [{ field: 'body', message: 'is empty' }]);
  }
  if (fastifyCode === 'FST_ERR_MAX_PARAM_LENGTH' || fastifyCode === 'FST_ERR_BAD_URL') {
    const message = fastifyCode === 'FST_ERR_BAD_URL' ? 'is not validly percent-encoded' : 'is longer than 100 characters';
    return new ApiError(400, 'VALIDATION_FAILED', `The request path ${message}`, [{ field: 'path', message }]);
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    const message = (err as Error).message.slice(0, 300);
    return new ApiError(400, 'VALIDATION_FAILED', `The body is not valid JSON: ${message}`, [{ field: 'body', message }]);
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return new ApiError(status, HTTP_CODES[status] ?? `HTTP_${status}`, err.message);
  }
  const status = (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, HTTP_CODES[status] ?? `HTTP_${status}`, (err as Error).message);
  }
  return new ApiError(500, 'INTERNAL_ERROR', 'The server failed to answer; the error is in its log with this request id');
}

/**
 * A 500 is a bug: logged once at error level with its stack. Anything else the server answers on
 * purpose (a 503 while the read models catch up, a refusal) is logged as what it is, without one.
 */
export function logFailure(request: FastifyRequest, err: unknown, error: Refusal): void {
  if (error.status < 500) return;
  if (error.code === 'INTERNAL_ERROR') {
    request.log.error({ err }, 'request failed');
    return;
  }
  const cause = err instanceof Refusal ? undefined : String((err as Error)?.message ?? err);
  request.log.warn({ status: error.status, code: error.code, details: error.details, cause }, error.message);
}

export function sendApiError(reply: FastifyReply, error: Refusal): void {
  for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
  void reply.status(error.status).type('application/json').send(errorBody(error.code, error.message, error.details));
}

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const error = toApiError(exception, request);
    logFailure(request, exception, error);
    if (reply.sent) {
      this.logger.warn(`error after the reply was sent: ${(exception as Error)?.message}`);
      return;
    }
    sendApiError(reply, error);
  }
}
