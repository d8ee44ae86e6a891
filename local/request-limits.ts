import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { answerError, errorBody, LINGER_MS, refuseOnSocket } from './error-replies.js';

/** What API Gateway allows a request before any function sees it. */
export interface RequestLimits {
  /** How long the request line, headers and body together may take to arrive. */
  receiveTimeoutMs: number;
  /** The largest body, whether its length is declared or it comes in chunks. */
  maxBodyBytes: number;
  /** How long the function may take to answer a request once it has arrived (the integration timeout). */
  answerTimeoutMs: number;
}

/** An HTTP API's own: 30 s to receive a request and 30 s to answer it, and a 10 MiB payload. */
export const API_GATEWAY_LIMITS: Readonly<RequestLimits> = Object.freeze({
  receiveTimeoutMs: 30_000,
  maxBodyBytes: 10 * 1024 * 1024,
  answerTimeoutMs: 30_000,
});

/** The request in progress on each connection, with the path its refusals are worded for. */
interface InFlight {
  response: ServerResponse;
  path: string;
}

export interface RequestLimiter {
  /**
   * Refuses a request whose headers have arrived, answering it and returning true, when its declared body
   * is over the limit or it lacks a Host header. Otherwise returns false and watches its body as it comes:
   * should it pass the limit, `cutOff` is called, 413 answered and the connection closed.
   */
  refuse(request: IncomingMessage, response: ServerResponse, path: string, cutOff: () => void): boolean;
}

/**
 * The `createServer` options under which Node's HTTP server enforces the receive timeout on headers and on
 * whole requests, checking for overdue ones often enough to cut them close to the limit (it looks every
 * 30 s by default).
 *
 * @example
 * const server = createServer(limitedServerOptions(API_GATEWAY_LIMITS), handle);
 */
export function limitedServerOptions(limits: RequestLimits): ServerOptions {
  return {
    headersTimeout: limits.receiveTimeoutMs,
    requestTimeout: limits.receiveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.floor(limits.receiveTimeoutMs / 20)),
    // Node would refuse a missing Host itself, with an empty 400; the limiter refuses it in JSON.
    requireHostHeader: false,
  };
}

/**
 * Gives `server` API Gateway's limits on what a client sends, every refusal answered in JSON in the
 * dialect of the API the path belongs to (`{"message"}` when no path could be read): 408 for a request not
 * received within the timeout (a body shorter than its Content-Length, chunks without the last one,
 * `Expect: 100-continue` and no body, a byte a second), 413 for a body over the limit, 417 for an
 * expectation other than `100-continue`, 431 for headers past Node's limit and 400 for anything its parser
 * cannot read. The connection is closed after each; none is held past the timeout. Create the server with
 * {@link limitedServerOptions}.
 *
 * @example
 * const limiter = limitRequests(server, API_GATEWAY_LIMITS);
 * if (limiter.refuse(request, response, path, () => upstream.destroy())) return;
 */
export function limitRequests(server: Server, limits: RequestLimits): RequestLimiter {
  const inFlight = new WeakMap<Socket, InFlight>();
  const seconds = Math.round(limits.receiveTimeoutMs / 1000);

  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const refusal = parserRefusal(error, seconds);
    const current = inFlight.get(socket);
    if (!refusal) {
      socket.destroy(); // the client went away
    } else if (current && !current.response.headersSent) {
      closeAfter(current.response);
      answerError(current.response, current.path, refusal.status, refusal.message, { connection: 'close' });
    } else if (current) {
      socket.destroy(); // an answer is already on its way: nothing else can be said on this connection
    } else {
      refuseOnSocket(socket, refusal.status, errorBody(requestPath(error.rawPacket), refusal.message));
    }
  });

  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    closeAfter(response);
    answerError(response, path, 417, `Expectation Failed: only 100-continue is supported`, {
      connection: 'close',
    });
  });

  return {
    refuse(request, response, path, cutOff) {
      inFlight.set(request.socket, { response, path });
      response.once('finish', () => {
        if (inFlight.get(request.socket)?.response === response) inFlight.delete(request.socket);
      });
      if (request.httpVersion === '1.1' && request.headers.host === undefined) {
        closeAfter(response);
        answerError(response, path, 400, 'Bad Request: the Host header is required', { connection: 'close' });
        return true;
      }
      const tooLarge = () => {
        closeAfter(response);
        answerError(response, path, 413, 'Request Entity Too Large', { connection: 'close' });
      };
      if (Number(request.headers['content-length'] ?? 0) > limits.maxBodyBytes) {
        tooLarge();
        return true;
      }
      let received = 0;
      const count = (chunk: Buffer) => {
        received += chunk.length;
        if (received <= limits.maxBodyBytes) return;
        request.off('data', count);
        cutOff();
        if (response.headersSent) request.socket.destroy();
        else tooLarge();
      };
      request.on('data', count);
      return false;
    },
  };
}

/** The status and message API Gateway would refuse these bytes with, or undefined if the client left. */
function parserRefusal(
  error: NodeJS.ErrnoException,
  seconds: number,
): { status: number; message: string } | undefined {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, message: `Request Timeout: the request did not arrive within ${seconds} s` };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, message: 'Request Header Fields Too Large' };
  if (error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return { status: 413, message: 'Request Entity Too Large: chunk extensions too long' };
  }
  if (error.code?.startsWith('HPE_')) return { status: 400, message: `Bad Request: ${error.message}` };
  return undefined;
}

/** The path of the request line at the start of `raw`, if one can be read there. */
function requestPath(raw: Buffer | undefined): string | undefined {
  const line = raw?.subarray(0, 8192).toString('latin1');
  return line ? /^[!-~]+ (\/[^ ?\r\n]*)/.exec(line)?.[1] : undefined;
}

/**
 * Ends the connection once `response` is sent, whatever the client still sends: a client that stopped
 * mid-body, or is past a limit, is not read any further.
 */
function closeAfter(response: ServerResponse): void {
  const { socket } = response; // detached from the response once it is sent
  response.shouldKeepAlive = false;
  response.once('finish', () => {
    socket?.end();
    setTimeout(() => socket?.destroy(), LINGER_MS).unref();
  });
}
