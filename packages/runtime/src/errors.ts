import {
  DomainError,
  errorStatus,
  type Problem,
  problemTitle,
  problemType,
} from "@pencai/contracts/errors";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

// The edge: domain errors (`DomainError` from @pencai/contracts/errors, thrown by domain code,
// stores and the runtime alike) become `application/problem+json` replies here, and only here.

/** The problem a failure is answered with: a domain error as its code says, anything else a 500 that reveals nothing. */
export function problemOf(err: unknown): Problem {
  const known = err instanceof DomainError ? err : new DomainError("internal", "internal error");
  return {
    type: problemType(known.code),
    title: problemTitle(known.code),
    status: errorStatus[known.code],
    code: known.code,
    detail: known.detail,
    ...(known.errors?.length ? { errors: known.errors } : {}),
  };
}

export function problemResponse(
  err: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  const problem = problemOf(err);
  return {
    statusCode: problem.status,
    headers: { ...headers, "content-type": "application/problem+json" },
    body: JSON.stringify(problem),
  };
}
