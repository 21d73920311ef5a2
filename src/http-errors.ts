/**
 * The service's error answers. A BadRequest becomes a 400 whose `issues` name each bad
 * parameter (server.ts); zod failures are turned into one by `parseInput`.
 */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

export interface Issue {
  /** The query-string parameter (or path parameter) at fault. */
  path: string;
  message: string;
}

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
  readonly issues: Issue[];

  constructor(issues: Issue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}

/**
 * 503 with Retry-After: the service cannot answer now (Weaviate or the inference service down, the
 * process saturated) and says, in the header and the body, when to try again.
 */
export function tryLater(
  reply: FastifyReply,
  answer: { error: string; message: string; retryAfterSeconds: number; [detail: string]: unknown },
): FastifyReply {
  return reply.code(503).header('Retry-After', String(answer.retryAfterSeconds)).send(answer);
}

/** Parses with `schema` or throws a BadRequest naming every parameter that failed. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new BadRequest(parsed.error.issues.flatMap(toIssues));
}

function toIssues(issue: z.core.$ZodIssue): Issue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: key, message: issue.message }));
  }
  // A list parameter's item (`collection.1`) is still the parameter the user typed.
  return [{ path: String(issue.path[0] ?? ''), message: issue.message }];
}
