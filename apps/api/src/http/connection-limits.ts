import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpLimits } from '@agreements/platform';
import { errorBody } from './api-error';

/** Node's own limit on the request line and headers together; beyond it 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * What Node's HTTP server is given: the header size limit, how long the headers and the whole
 * request may take to arrive, and how often it checks (Node checks every 30 s by default, so a
 * limit of a few seconds would otherwise be enforced up to 30 s late).
 */
export function serverTimeouts(limits: HttpLimits) {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs || limits.headersTimeoutMs);
  return {
    requestTimeout: limits.requestTimeoutMs,
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(shortest / 4))),
    },
  };
}

function answerOnSocket(socket: Socket, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers too large, a request
 * too slow, bytes that are not HTTP): answered in the contract's shape where the socket can
 * still be written, then closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    answerOnSocket(socket, 431, 'HEADERS_TOO_LARGE', `The request line and headers are larger than ${MAX_HEADER_BYTES / 1024} KiB`);
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    answerOnSocket(socket, 408, 'REQUEST_TIMEOUT', 'The request did not arrive in time; send it again');
  } else {
    answerOnSocket(socket, 400, 'VALIDATION_FAILED', 'The request is not valid HTTP/1.1');
  }
  setTimeout(() => socket.destroy(), 1000).unref();
}
