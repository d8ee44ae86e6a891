import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** Paths under this prefix speak the course contract, whose errors are `{"msg": …}`. */
export const COURSE_PREFIX = '/cs6650/';

/**
 * An error body in the dialect of the API `path` belongs to: the course contract's `{"msg": …}` under
 * {@link COURSE_PREFIX}, else API Gateway's and ours, `{"message": …}` (also when the path is unknown).
 *
 * @example
 * errorBody('/cs6650/albums', 'Not Found'); // '{"msg":"Not Found"}'
 */
export function errorBody(path: string | undefined, message: string): string {
  return JSON.stringify(path?.startsWith(COURSE_PREFIX) ? { msg: message } : { message });
}

/**
 * Answers `response` with a JSON error in the dialect of `path`.
 *
 * @example
 * answerError(response, '/no/such/route', 404, 'Not Found');
 */
export function answerError(
  response: ServerResponse,
  path: string | undefined,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  answerJson(response, status, errorBody(path, message), headers);
}

/**
 * Answers `response` with a JSON document already serialised.
 *
 * @example
 * answerJson(response, 503, '{"message":"Service Unavailable"}', { 'retry-after': '1' });
 */
export function answerJson(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** How long a refused client has to read its answer before its connection is dropped. */
export const LINGER_MS = 1_000;

/**
 * Writes a whole JSON error response straight to a socket no request object stands for (the HTTP parser
 * refused its bytes, or they never all came), then closes it, leaving the client a moment to read the answer before the socket is destroyed (a close
 * with its bytes still unread would reset the connection, and the answer with it).
 *
 * @example
 * server.on('clientError', (error, socket) => refuseOnSocket(socket, 400, errorBody(undefined, 'Bad Request')));
 */
export function refuseOnSocket(socket: Socket, status: number, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
