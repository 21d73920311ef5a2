/**
 * What a failed request to Weaviate says, read from the error's structure: the HTTP status, the
 * gRPC status, the socket error code of a dropped connection, a request timeout, and Weaviate's
 * own messages from its error body. Retries decide on these (`isTransient`), never on the text
 * of an error message; any other decision on a failure asks for its kind (`failureKind`), so that
 * Weaviate's words are read here only. The whole cause chain is read: fetch reports a refused or
 * dropped connection as `TypeError: fetch failed` whose cause carries the code.
 *
 * The errors it reads (weaviate-client 3.14, Node 24's fetch, checked against a real 1.38 server):
 * - ours (RestStatusError): the status and the body as Weaviate sent it;
 * - weaviate-client's WeaviateUnexpectedStatusCodeError: `code` is the status, and the body is
 *   kept only inside the message, after " and message: " (the class is not exported);
 * - weaviate-client's gRPC errors (WeaviateQueryError, WeaviateDeleteManyError, …) keep only the
 *   message of nice-grpc's ClientError, "<method path> <STATUS>: <details>", so the status is read
 *   from that fixed form; a ClientError itself carries `code` (the gRPC status number) and `details`;
 * - WeaviateRequestTimeoutError, and our own AbortSignal.timeout (a DOMException `TimeoutError`).
 */
import { isEscoInitError } from '../errors.ts';

export interface Failure {
  /** The HTTP status Weaviate answered with. */
  status?: number;
  /** The gRPC status, by name (UNAVAILABLE, UNKNOWN, …). */
  grpc?: string;
  /** The code of a refused, reset or timed-out connection (ECONNREFUSED, UND_ERR_SOCKET, …). */
  socket?: string;
  /** A request timeout: ours or weaviate-client's. */
  timedOut: boolean;
  /** Weaviate's messages: from its REST error body, or the gRPC status details. */
  messages: string[];
}

/** An answer other than 2xx from Weaviate's REST API, with the body as Weaviate sent it. */
export class RestStatusError extends Error {
  override readonly name = 'RestStatusError';
  readonly status: number;
  readonly body: string;
  constructor(message: string, status: number, body: string) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

const TRANSIENT_HTTP = new Set([429, 502, 503, 504]);
const TRANSIENT_GRPC = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED']);
const TRANSIENT_SOCKET = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Whether the same request may succeed a moment later: overload (429, 503, RESOURCE_EXHAUSTED),
 * a gateway or the server restarting (502, 504, UNAVAILABLE), a dropped connection or a timeout.
 * Our own EscoInitError is final: it was decided on already (by a retry layer, among others).
 */
export function isTransient(error: unknown): boolean {
  if (isEscoInitError(error)) return false;
  const f = failureOf(error);
  return (
    f.timedOut ||
    (f.status !== undefined && TRANSIENT_HTTP.has(f.status)) ||
    (f.grpc !== undefined && TRANSIENT_GRPC.has(f.grpc)) ||
    (f.socket !== undefined && TRANSIENT_SOCKET.has(f.socket))
  );
}

/** The HTTP status Weaviate answered with, if it answered. */
export function statusOf(error: unknown): number | undefined {
  return failureOf(error).status;
}

/**
 * What a failed request to Weaviate means, for the code that decides on it. Weaviate tells some
 * failures apart only in its messages, which are read here and nowhere else. The first that applies:
 * - `not-found`: HTTP 404, the object, class, role or user asked for is not there;
 * - `already-exists`: a create met an existing class, property, alias or object id. Weaviate
 *   answers 422 for every validation failure and tells this one apart only in its message (1.38:
 *   "class name X already exists", "conflict for property …: already in use", "create alias: X,
 *   alias already exists", "id '…' already exists"), so the message decides, under a 422 only;
 * - `collection-missing`: a query, aggregation or write named a collection the schema does not
 *   have ("could not find class X in schema": gRPC UNKNOWN, or a REST error body);
 * - `index-loading`: a collection created a moment ago (by another process) whose index this node
 *   has not loaded yet ("non-existing index for X");
 * - `vectorizer`: the vectorizer module could not vectorize (its inference service failed);
 * - `unavailable`: Weaviate did not answer: a refused, reset or dropped connection, gRPC UNAVAILABLE;
 * - `other`: anything else.
 */
export type FailureKind =
  | 'not-found'
  | 'already-exists'
  | 'collection-missing'
  | 'index-loading'
  | 'vectorizer'
  | 'unavailable'
  | 'other';

export function failureKind(error: unknown): FailureKind {
  const f = failureOf(error);
  const says = (pattern: RegExp) => f.messages.some((m) => pattern.test(m));
  if (f.status === 404) return 'not-found';
  if (f.status === 422 && says(/already exists|already in use/i)) return 'already-exists';
  if (says(/could not find class/)) return 'collection-missing';
  if (says(/non-existing index for/)) return 'index-loading';
  if (says(/vectoriz/i)) return 'vectorizer';
  if (f.socket !== undefined || f.grpc === 'UNAVAILABLE') return 'unavailable';
  return 'other';
}

export function failureOf(error: unknown): Failure {
  const failure: Failure = { timedOut: false, messages: [] };
  for (const e of causeChain(error)) read(e, failure);
  return failure;
}

/** The error, its causes, and the members of an AggregateError (a connect to several addresses). */
function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 16) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || chain.includes(e)) continue;
    chain.push(e);
    queue.push((e as { cause?: unknown }).cause);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return chain;
}

type Shape = { name?: unknown; code?: unknown; message?: unknown; details?: unknown };

function read(e: Shape, into: Failure): void {
  if (e instanceof RestStatusError) {
    into.status ??= e.status;
    into.messages.push(...bodyMessages(e.body));
  } else if (e.name === 'WeaviateUnexpectedStatusCodeError' && typeof e.code === 'number') {
    into.status ??= e.code;
    const message = String(e.message);
    const at = message.indexOf(CLIENT_BODY);
    if (at !== -1) into.messages.push(...bodyMessages(message.slice(at + CLIENT_BODY.length)));
  } else if (e.name === 'WeaviateRequestTimeoutError' || (e instanceof DOMException && e.name === 'TimeoutError')) {
    into.timedOut = true;
  } else if ((e as Record<string, unknown>)['@@nice-grpc'] === true && typeof e.code === 'number') {
    into.grpc ??= GRPC_STATUS[e.code] ?? String(e.code);
    if (typeof e.details === 'string') into.messages.push(e.details);
  } else if (typeof e.name === 'string' && CLIENT_GRPC_ERRORS.has(e.name)) {
    const match = GRPC_MESSAGE.exec(String(e.message));
    if (match?.[1] && GRPC_STATUS.includes(match[1])) {
      into.grpc ??= match[1];
      into.messages.push(match[2] ?? '');
    }
  } else if (typeof e.code === 'string' && SOCKET_CODE.test(e.code) && !isEscoInitError(e)) {
    into.socket ??= e.code;
  }
}

/** weaviate-client's status error: "…failed with status code: 422 and message: <body>". */
const CLIENT_BODY = ' and message: ';
/** weaviate-client's wrappers of a nice-grpc ClientError, which keep only its message. */
const CLIENT_GRPC_ERRORS = new Set([
  'WeaviateQueryError',
  'WeaviateBatchError',
  'WeaviateDeleteManyError',
  'WeaviateTenantsGetError',
]);
/** nice-grpc's ClientError message: "/weaviate.v1.Weaviate/Search UNKNOWN: <details>". */
const GRPC_MESSAGE = /\/[\w.]+\/\w+ ([A-Z_]+): ([\s\S]*)$/;
const SOCKET_CODE = /^(?:E[A-Z]+|UND_ERR_[A-Z_]+)$/;
/** gRPC status codes by number (the gRPC spec's, stable). */
const GRPC_STATUS = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/**
 * Weaviate's messages in an error body: `{"error":[{"message":…}]}` from its handlers, or
 * `{"code":…,"message":…}` when the request itself was refused (e.g. a body that does not parse).
 * A body that is not JSON is a proxy's or a crash's: its text is kept as the one message.
 */
export function bodyMessages(body: string): string[] {
  if (body.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [body.slice(0, 500)];
  }
  const { error, message } = (parsed ?? {}) as { error?: unknown; message?: unknown };
  if (Array.isArray(error)) return error.map((e: { message?: unknown }) => String(e?.message ?? JSON.stringify(e)));
  if (typeof message === 'string') return [message];
  return [body.slice(0, 500)];
}
