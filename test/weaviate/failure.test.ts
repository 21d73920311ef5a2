/**
 * The classifier on errors shaped as weaviate-client 3.14 and Node's fetch throw them (the
 * client's classes are not exported; client.int.test.ts reads the real ones from a real server).
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { EscoInitError } from '../../src/errors.ts';
import {
  bodyMessages,
  type FailureKind,
  failureKind,
  failureOf,
  isTransient,
  RestStatusError,
  statusOf,
} from '../../src/weaviate/failure.ts';
import { restText } from '../../src/weaviate/rest.ts';

/** weaviate-client's WeaviateUnexpectedStatusCodeError: `code` is the status, the body is in the message. */
function clientStatusError(status: number, body: string): Error {
  const error = new Error(`The request to Weaviate failed with status code: ${status} and message: ${body}`);
  error.name = 'WeaviateUnexpectedStatusCodeError';
  return Object.assign(error, { code: status });
}

/** nice-grpc's ClientError: the gRPC status number in `code`, the server's text in `details`. */
function grpcClientError(code: number, name: string, details: string): Error {
  const error = new Error(`/weaviate.v1.Weaviate/Search ${name}: ${details}`);
  error.name = 'ClientError';
  Object.defineProperty(error, '@@nice-grpc', { value: true });
  return Object.assign(error, { code, details });
}

/** weaviate-client's wrapper of a ClientError, which keeps only its message. */
function clientGrpcError(name: string, status: string, details: string): Error {
  const error = new Error(
    `Query call with protocol gRPC failed with message: /weaviate.v1.Weaviate/Search ${status}: ${details}`,
  );
  error.name = name;
  return error;
}

/** What restText throws when fetch fails: our message, fetch's TypeError, the socket error. */
function fetchFailure(code: string): Error {
  const socket = Object.assign(new Error(`connect ${code}`), { code });
  return new Error(`POST batch/objects: fetch failed (${code})`, {
    cause: new TypeError('fetch failed', { cause: socket }),
  });
}

const weaviateBody = (message: string) => JSON.stringify({ error: [{ message }] });

describe('isTransient', () => {
  it.each([
    ['gRPC UNAVAILABLE (ClientError)', grpcClientError(14, 'UNAVAILABLE', 'No connection established'), true],
    ['gRPC DEADLINE_EXCEEDED (ClientError)', grpcClientError(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded'), true],
    ['gRPC RESOURCE_EXHAUSTED (ClientError)', grpcClientError(8, 'RESOURCE_EXHAUSTED', 'too large'), true],
    [
      'gRPC UNAVAILABLE (WeaviateDeleteManyError)',
      clientGrpcError('WeaviateDeleteManyError', 'UNAVAILABLE', 'x'),
      true,
    ],
    [
      'gRPC UNKNOWN (WeaviateQueryError)',
      clientGrpcError('WeaviateQueryError', 'UNKNOWN', 'could not find class'),
      false,
    ],
    ['HTTP 429 (client)', clientStatusError(429, ''), true],
    ['HTTP 502 (ours)', new RestStatusError('POST batch/objects: HTTP 502', 502, 'bad gateway'), true],
    ['HTTP 503 (ours)', new RestStatusError('POST batch/objects: HTTP 503', 503, ''), true],
    ['HTTP 504 (client)', clientStatusError(504, ''), true],
    ['HTTP 500 (client)', clientStatusError(500, weaviateBody('timed out')), false],
    ['read ECONNRESET', fetchFailure('ECONNRESET'), true],
    ['ECONNREFUSED', fetchFailure('ECONNREFUSED'), true],
    ['EPIPE', fetchFailure('EPIPE'), true],
    ['ETIMEDOUT', fetchFailure('ETIMEDOUT'), true],
    ['UND_ERR_SOCKET', fetchFailure('UND_ERR_SOCKET'), true],
    ['UND_ERR_CONNECT_TIMEOUT', fetchFailure('UND_ERR_CONNECT_TIMEOUT'), true],
    ['UND_ERR_HEADERS_TIMEOUT', fetchFailure('UND_ERR_HEADERS_TIMEOUT'), true],
    ['UND_ERR_BODY_TIMEOUT', fetchFailure('UND_ERR_BODY_TIMEOUT'), true],
    ['ENOTFOUND', fetchFailure('ENOTFOUND'), false],
    [
      'our request timeout',
      new Error('GET meta: aborted', { cause: new DOMException('timeout', 'TimeoutError') }),
      true,
    ],
    ['weaviate-client timeout', Object.assign(new Error('timed out'), { name: 'WeaviateRequestTimeoutError' }), true],
    ['an abort', new DOMException('aborted', 'AbortError'), false],
    ['an abort reason', 'SIGTERM', false],
    [
      'invalid date property (422)',
      clientStatusError(422, weaviateBody('invalid date property "modifiedDate"')),
      false,
    ],
    ['no such prop (422)', new RestStatusError('x', 422, weaviateBody('no such prop with name "x" found')), false],
    [
      'our own error, whatever its cause',
      new EscoInitError('WRITE_FAILED', 'x', { cause: fetchFailure('ECONNRESET') }),
      false,
    ],
  ])('%s → %s', (_, error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });

  it('never decides on the text of a message', () => {
    expect(isTransient(new Error('503 Service Unavailable'))).toBe(false);
    expect(isTransient(new Error('14 UNAVAILABLE: connection reset; timed out; ECONNRESET'))).toBe(false);
    expect(isTransient(clientStatusError(422, weaviateBody('503 UNAVAILABLE ECONNRESET timed out')))).toBe(false);
  });
});

describe('failureOf', () => {
  it('reads the status and Weaviate messages of both REST errors', () => {
    const body = JSON.stringify({ allowed: null, error: [{ message: 'class name Skill already exists' }] });
    expect(failureOf(clientStatusError(422, body))).toEqual({
      status: 422,
      timedOut: false,
      messages: ['class name Skill already exists'],
    });
    expect(failureOf(new RestStatusError('x', 404, ''))).toEqual({ status: 404, timedOut: false, messages: [] });
    expect(statusOf(clientStatusError(404, ''))).toBe(404);
  });

  it('reads the gRPC status and details, from a ClientError or the message weaviate-client kept', () => {
    expect(failureOf(grpcClientError(2, 'UNKNOWN', 'could not find class Metadata in schema'))).toMatchObject({
      grpc: 'UNKNOWN',
      messages: ['could not find class Metadata in schema'],
    });
    const wrapped = clientGrpcError('WeaviateQueryError', 'UNKNOWN', 'could not find class Metadata in schema');
    expect(failureOf(wrapped)).toMatchObject({
      grpc: 'UNKNOWN',
      messages: ['could not find class Metadata in schema'],
    });
    expect(failureOf(new Error('/x.Y/Z UNAVAILABLE: no')).grpc).toBeUndefined();
  });

  it('walks the cause chain and the members of an AggregateError; a DOMException code is no status', () => {
    expect(failureOf(fetchFailure('UND_ERR_SOCKET')).socket).toBe('UND_ERR_SOCKET');
    const aggregate = new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'connect');
    expect(failureOf(new TypeError('fetch failed', { cause: aggregate })).socket).toBe('ECONNREFUSED');
    const timeout = failureOf(new DOMException('timeout', 'TimeoutError'));
    expect(timeout).toEqual({ timedOut: true, messages: [] });
  });

  it('tells "already exists" by a 422 and Weaviate message, not by our wording', () => {
    const alreadyExists = (error: unknown) => failureKind(error) === 'already-exists';
    expect(alreadyExists(clientStatusError(422, weaviateBody('create alias: L_1, alias already exists')))).toBe(true);
    expect(alreadyExists(clientStatusError(422, weaviateBody('conflict for property "x": already in use')))).toBe(true);
    expect(alreadyExists(clientStatusError(500, weaviateBody('already exists')))).toBe(false);
    expect(alreadyExists(clientStatusError(422, weaviateBody('no module with name "x" present')))).toBe(false);
    expect(alreadyExists(Object.assign(new Error('id already exists'), { status: 422 }))).toBe(false);
    expect(failureKind(clientStatusError(500, weaviateBody('non-existing index for Metadata')))).toBe('index-loading');
    expect(failureKind(new Error('non-existing index for Metadata'))).toBe('other');
  });
});

/** What Weaviate 1.38 says when text2vec-transformers cannot reach its inference service. */
const NO_INFERENCE =
  'vectorize params: vectorize keywords: remote client vectorize: send POST request: Post "http://t2v:8080/vectors": dial tcp 10.0.0.3:8080: connect: connection refused';

describe('failureKind', () => {
  it.each<[string, unknown, FailureKind]>([
    ['HTTP 404 from the client (an object, alias or class not there)', clientStatusError(404, ''), 'not-found'],
    ['HTTP 404 from restText', new RestStatusError('GET objects/Skill/x: HTTP 404', 404, ''), 'not-found'],
    [
      'HTTP 404 under our own error',
      new EscoInitError('VERIFY_FAILED', 'x', { cause: new RestStatusError('x', 404, '') }),
      'not-found',
    ],
    [
      'a class that exists (422)',
      clientStatusError(422, weaviateBody('class name Skill_g3 already exists')),
      'already-exists',
    ],
    [
      'an object id that exists (422)',
      clientStatusError(422, weaviateBody("id '00000000-0000-4000-8000-000000000001' already exists")),
      'already-exists',
    ],
    [
      'a query of a missing collection (WeaviateQueryError)',
      clientGrpcError('WeaviateQueryError', 'UNKNOWN', 'could not find class Skill_g7 in schema'),
      'collection-missing',
    ],
    [
      'an aggregation of a missing collection (ClientError)',
      grpcClientError(2, 'UNKNOWN', 'could not find class Metadata in schema'),
      'collection-missing',
    ],
    [
      'a write to an index not loaded yet (HTTP 500)',
      clientStatusError(500, weaviateBody('put object: import into index metadata: non-existing index for Metadata')),
      'index-loading',
    ],
    [
      'a query of an index not loaded yet (gRPC)',
      clientGrpcError('WeaviateQueryError', 'UNKNOWN', 'non-existing index for Metadata'),
      'index-loading',
    ],
    [
      'a vector search the module could not vectorize (gRPC)',
      clientGrpcError('WeaviateQueryError', 'UNKNOWN', `explorer: get class: vectorize search vector: ${NO_INFERENCE}`),
      'vectorizer',
    ],
    [
      'a REST write the module could not vectorize (HTTP 500)',
      clientStatusError(500, weaviateBody(NO_INFERENCE)),
      'vectorizer',
    ],
    ['a refused connection', fetchFailure('ECONNREFUSED'), 'unavailable'],
    ['a dropped connection', fetchFailure('UND_ERR_SOCKET'), 'unavailable'],
    ['gRPC UNAVAILABLE (ClientError)', grpcClientError(14, 'UNAVAILABLE', 'No connection established'), 'unavailable'],
    [
      'gRPC UNAVAILABLE (WeaviateQueryError)',
      clientGrpcError('WeaviateQueryError', 'UNAVAILABLE', 'No connection established'),
      'unavailable',
    ],
    ['a request timeout', new DOMException('timeout', 'TimeoutError'), 'other'],
    ['HTTP 503', new RestStatusError('POST batch/objects: HTTP 503', 503, ''), 'other'],
    [
      'a validation failure (422)',
      clientStatusError(422, weaviateBody('invalid date property "modifiedDate"')),
      'other',
    ],
    ["an error that is not Weaviate's", new Error('fetch failed'), 'other'],
    ['not an error', 'SIGTERM', 'other'],
  ])('%s → %s', (_, error, expected) => {
    expect(failureKind(error)).toBe(expected);
  });

  it("decides on Weaviate's messages only, never on our wording around them", () => {
    expect(failureKind(new Error('could not find class Skill in schema'))).toBe('other');
    expect(failureKind(new Error('Skill objects could not be vectorized'))).toBe('other');
    expect(failureKind(new EscoInitError('INFERENCE_UNAVAILABLE', 'the vectorizer is down'))).toBe('other');
    const wrapped = new Error(`query failed: ${NO_INFERENCE}`, {
      cause: clientGrpcError('WeaviateQueryError', 'UNKNOWN', 'could not find class Skill in schema'),
    });
    expect(failureKind(wrapped)).toBe('collection-missing');
  });
});

describe('bodyMessages', () => {
  it("reads Weaviate's error bodies, and keeps any other text whole", () => {
    expect(bodyMessages(JSON.stringify({ error: [{ message: 'a' }, { message: 'b' }] }))).toEqual(['a', 'b']);
    expect(bodyMessages('{"code":400,"message":"parsing body body from \\"\\" failed"}')).toEqual([
      'parsing body body from "" failed',
    ]);
    expect(bodyMessages('<html>502 Bad Gateway</html>')).toEqual(['<html>502 Bad Gateway</html>']);
    expect(bodyMessages('')).toEqual([]);
  });
});

describe('restText failures, as Node 24 throws them', () => {
  it('a refused connection is transient by its socket code', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    const error = await restText({ url: `http://127.0.0.1:${port}/v1/`, headers: {} }, 'meta').catch((e: unknown) => e);
    expect(failureOf(error).socket).toBe('ECONNREFUSED');
    expect(isTransient(error)).toBe(true);
  });

  it('a server that drops the connection, or never answers, is transient', async () => {
    let answer: 'drop' | 'hang' = 'drop';
    const server = http.createServer((req) => (answer === 'drop' ? req.socket.destroy() : undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const rest = { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1/`, headers: {} };
    try {
      const dropped = await restText(rest, 'meta').catch((e: unknown) => e);
      expect(failureOf(dropped).socket).toBe('UND_ERR_SOCKET');
      expect(isTransient(dropped)).toBe(true);
      answer = 'hang';
      const hung = await restText(rest, 'meta', { timeoutMs: 50 }).catch((e: unknown) => e);
      expect(failureOf(hung).timedOut).toBe(true);
      expect(isTransient(hung)).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
