import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { readBody } from './read-body.js';

export interface JsonPost {
  agent: Agent;
  host: string;
  port: number | string;
  path: string;
  /** Sent besides the body's length; a content type among them. */
  headers: Record<string, string>;
  /** Aborting it ends the request in flight. */
  signal?: AbortSignal;
}

/**
 * POSTs `body` as JSON over the stack's own hops (the emulators check no signature) and resolves with the
 * whole answer, whatever its status; the caller judges it. Rejects when the request fails or is aborted.
 *
 * @example
 * const answer = await postJson({ agent, host: '127.0.0.1', port, path: '/', headers }, { QueueUrl });
 */
export function postJson(
  target: JsonPost,
  body: unknown,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = httpRequest(
      {
        host: target.host,
        port: target.port,
        method: 'POST',
        path: target.path,
        headers: { ...target.headers, 'content-length': Buffer.byteLength(payload) },
        agent: target.agent,
        signal: target.signal,
      },
      (response) => {
        readBody(response).then(
          (answer) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: answer }),
          reject,
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
