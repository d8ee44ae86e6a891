import { connect } from 'node:net';

/** A piece of a request as a client sends it: bytes, or a pause before the next ones. */
export type RawPiece = string | Buffer | { pauseMs: number };

export interface RawExchange {
  /** Everything the server sent, as text. */
  text: string;
  /** The status of the last response sent (after any `100 Continue`), if one came. */
  status?: number;
  /** The body of that response. */
  body?: string;
  /** Whether the server closed the connection before `waitMs` ran out. */
  closed: boolean;
  /** How long after the first byte was sent the server closed the connection, or `waitMs`. */
  elapsedMs: number;
}

/**
 * Sends `pieces` over a plain TCP connection, as a client that writes HTTP by hand would (slowly, cut
 * short, malformed), and collects what the server answers until it closes the connection or `waitMs`
 * passes. For what `fetch` will not send: bodies shorter than their Content-Length, unfinished chunked
 * bodies, bytes a second, broken request lines.
 *
 * @example
 * const { status, body } = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], 2_000);
 */
export function rawExchange(port: number, pieces: RawPiece[], waitMs: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const started = Date.now();
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve({
        ...parse(Buffer.concat(received).toString('latin1')),
        closed,
        elapsedMs: Date.now() - started,
      });
    };
    const deadline = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server that closes on a client still writing may reset the connection after its answer.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(true);
      else if (!settled) reject(error);
    });
    socket.once('connect', async () => {
      for (const piece of pieces) {
        if (socket.destroyed) return;
        if (typeof piece === 'object' && 'pauseMs' in piece) {
          await new Promise((done) => setTimeout(done, piece.pauseMs));
        } else {
          socket.write(piece);
        }
      }
    });
  });
}

/** Splits what a server sent into its last response's status and body. */
function parse(text: string): Pick<RawExchange, 'text' | 'status' | 'body'> {
  const starts = [...text.matchAll(/HTTP\/1\.1 (\d{3})[^\r\n]*\r\n/g)];
  const last = starts.at(-1);
  if (!last || last.index === undefined) return { text };
  const rest = text.slice(last.index);
  const split = rest.indexOf('\r\n\r\n');
  return { text, status: Number(last[1]), body: split === -1 ? undefined : rest.slice(split + 4) };
}

/** Bytes sent one at a time, `pauseMs` apart: a client trickling its request. */
export function trickle(text: string, pauseMs: number): RawPiece[] {
  return [...text].flatMap((character) => [character, { pauseMs }]);
}
