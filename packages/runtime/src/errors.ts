import {
  type ErrorCode,
  errorStatus,
  type FieldError,
  type Problem,
  problemTitle,
  problemType,
} from "@pencai/contracts/errors";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** An error that becomes an `application/problem+json` reply. */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(`${code}: ${detail}`);
    this.status = errorStatus[code];
  }

  toProblem(): Problem {
    return {
      type: problemType(this.code),
      title: problemTitle(this.code),
      status: this.status,
      code: this.code,
      detail: this.detail,
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

export const notFound = (what: string) => new ProblemError("not_found", `${what} not found`);
export const forbidden = (detail = "not allowed") => new ProblemError("forbidden", detail);
export const unauthenticated = (detail = "a valid bearer token is required") =>
  new ProblemError("unauthenticated", detail);
export const invalidState = (detail: string) => new ProblemError("invalid_state", detail);
export const duplicate = (detail: string) => new ProblemError("duplicate", detail);
export const validationFailed = (detail: string, errors?: FieldError[]) =>
  new ProblemError("validation_failed", detail, errors);
/** A business rule (422 codes and any other). */
export const rule = (code: ErrorCode, detail: string) => new ProblemError(code, detail);

/** Any error as a problem: ProblemErrors as they are, everything else as a 500 that hides details. */
export function toProblemError(err: unknown): ProblemError {
  return err instanceof ProblemError ? err : new ProblemError("internal", "internal error");
}

export function problemResponse(
  err: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  const problem = toProblemError(err).toProblem();
  return {
    statusCode: problem.status,
    headers: { ...headers, "content-type": "application/problem+json" },
    body: JSON.stringify(problem),
  };
}
