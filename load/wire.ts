import { connect, type Socket } from 'node:net';

/** An answer; the body is decoded only when read, as most load runs never look at it. */
export class Response {
  readonly #chunks: Buffer[];

  constructor(
    readonly status: number,
    chunks: Buffer[],
    /** API Gateway's id for the request (`apigw-requestid`): its log lines' correlation id. */
    readonly requestId?: string,
  ) {
    this.#chunks = chunks;
  }

  get body(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');

/** An error with the code a failure's cause is read from, as Node's own socket errors carry. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Where a response's body ends, once its headers are in: a length, chunked, or at the close. */
type Framing = { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** One response's head: status, framing, and whether the server closes the connection after it. */
interface Head {
  status: number;
  framing: Framing;
  close: boolean;
  bodyStart: number;
  /** API Gateway's id for the request (`apigw-requestid`), when the server gives one. */
  requestId?: string;
}

function parseHead(buffer: Buffer, end: number): Head {
  const text = buffer.toString('latin1', 0, end);
  const status = Number(text.slice(9, 12));
  let framing: Framing = { kind: 'close' };
  let close = text.startsWith('HTTP/1.0');
  let requestId: string | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const raw = line.slice(colon + 1).trim();
    const value = raw.toLowerCase();
    if (name === 'apigw-requestid') requestId = raw;
    else if (name === 'content-length') framing = { kind: 'length', length: Number(value) };
    else if (name === 'transfer-encoding' && value.includes('chunked')) framing = { kind: 'chunked' };
    else if (name === 'connection') close = value === 'close';
  }
  // No body, whatever the headers say.
  if (status === 204 || status === 304) framing = { kind: 'length', length: 0 };
  return { status, framing, close, bodyStart: end + 4, requestId };
}

/** The end of a chunked body starting at `from`, and its data, or undefined while it is incomplete. */
function chunkedBody(buffer: Buffer, from: number): { end: number; chunks: Buffer[] } | undefined {
  const chunks: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.toString('latin1', at, lineEnd), 16);
    if (size === 0) {
      const trailerEnd = buffer.indexOf(CRLF_CRLF, lineEnd);
      return trailerEnd < 0 ? undefined : { end: trailerEnd + 4, chunks };
    }
    if (buffer.length < lineEnd + 2 + size + 2) return undefined;
    chunks.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

interface Pending {
  resolve(response: Response): void;
  reject(error: Error): void;
}

/**
 * One keep-alive HTTP/1.1 connection with one request in flight, reading answers straight off the
 * socket: no stream, parser object or header map per request, which is what a load client's
 * throughput is spent on.
 */
class Connection {
  #socket: Socket | undefined;
  #pending: Pending | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #head: Head | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly timeoutMs: number,
    readonly onIdle: (connection: Connection) => void,
  ) {}

  send(request: Buffer, pending: Pending): void {
    this.#pending = pending;
    this.#open().write(request);
  }

  #open(): Socket {
    if (this.#socket) return this.#socket;
    const socket = connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.setTimeout(this.timeoutMs, () =>
      this.#fail(codedError(`no answer in ${this.timeoutMs} ms`, 'ETIMEDOUT')),
    );
    socket.on('data', (data: Buffer) => this.#read(data));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => {
      if (this.#head?.framing.kind === 'close') this.#complete(this.#buffer.length);
      else this.#fail(codedError('the server closed the connection', 'ECONNRESET'));
    });
    this.#socket = socket;
    return socket;
  }

  #read(data: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    if (!this.#head) {
      const end = this.#buffer.indexOf(CRLF_CRLF);
      if (end < 0) return;
      this.#head = parseHead(this.#buffer, end);
      if (this.#head.status < 200) {
        // An interim answer (100 Continue): the real one follows.
        this.#buffer = this.#buffer.subarray(this.#head.bodyStart);
        this.#head = undefined;
        if (this.#buffer.length > 0) this.#read(Buffer.alloc(0));
        return;
      }
    }
    const { framing, bodyStart } = this.#head;
    if (framing.kind === 'length' && this.#buffer.length >= bodyStart + framing.length)
      this.#complete(bodyStart + framing.length);
    else if (framing.kind === 'chunked') {
      const body = chunkedBody(this.#buffer, bodyStart);
      if (body) this.#complete(body.end, body.chunks);
    }
  }

  #complete(end: number, chunks?: Buffer[]): void {
    const head = this.#head;
    const pending = this.#pending;
    if (!head || !pending) return;
    const body = chunks ?? [this.#buffer.subarray(head.bodyStart, end)];
    this.#head = undefined;
    this.#pending = undefined;
    this.#buffer = Buffer.alloc(0);
    if (head.close || head.framing.kind === 'close') this.#drop();
    pending.resolve(new Response(head.status, body, head.requestId));
    this.onIdle(this);
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    this.#head = undefined;
    this.#buffer = Buffer.alloc(0);
    this.#drop();
    if (pending) {
      pending.reject(error);
      this.onIdle(this);
    }
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.removeAllListeners();
    socket?.on('error', () => undefined); // a late error on a dropped socket concerns nobody
    socket?.destroy();
  }

  close(): void {
    this.#drop();
  }
}

/**
 * Up to `connections` keep-alive connections to one origin, each with one request in flight, as wrk
 * and autocannon drive a server; requests beyond them wait their turn.
 *
 * @example
 * const pool = new WirePool('http://127.0.0.1:3000', { connections: 50, timeoutMs: 30_000 });
 * const { status } = await pool.send(Buffer.from('GET / HTTP/1.1\r\nhost: 127.0.0.1:3000\r\n\r\n'));
 */
export class WirePool {
  readonly #idle: Connection[] = [];
  readonly #waiting: Array<{ request: Buffer; pending: Pending }> = [];
  readonly #all: Connection[] = [];

  constructor(origin: string, options: { connections: number; timeoutMs: number }) {
    const url = new URL(origin);
    const onIdle = (connection: Connection) => this.#next(connection);
    for (let i = 0; i < options.connections; i++) {
      const connection = new Connection(url.hostname, Number(url.port || 80), options.timeoutMs, onIdle);
      this.#all.push(connection);
      this.#idle.push(connection);
    }
  }

  send(request: Buffer): Promise<Response> {
    return new Promise((resolve, reject) => {
      const connection = this.#idle.pop();
      if (connection) connection.send(request, { resolve, reject });
      else this.#waiting.push({ request, pending: { resolve, reject } });
    });
  }

  #next(connection: Connection): void {
    const waiting = this.#waiting.shift();
    if (waiting) connection.send(waiting.request, waiting.pending);
    else this.#idle.push(connection);
  }

  close(): void {
    for (const connection of this.#all) connection.close();
  }
}

/**
 * A request's bytes, worked out once: runs that repeat one request send the same buffer every time.
 *
 * @example
 * requestBytes(new URL('http://127.0.0.1:3000/albums'), 'GET', {});
 */
export function requestBytes(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Buffer {
  const payload = body === undefined ? undefined : Buffer.from(body);
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (payload || method === 'POST') lines.push(`content-length: ${payload?.length ?? 0}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return payload ? Buffer.concat([head, payload]) : head;
}
