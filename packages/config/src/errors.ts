import { pathString } from "./schema.js";

export interface FieldProblem {
  path: string;
  message: string;
}

/** A city file that does not validate. The message names every failing field. */
export class CityConfigError extends Error {
  override readonly name = "CityConfigError";
  constructor(
    readonly problems: readonly FieldProblem[],
    readonly source?: string,
  ) {
    const lines = problems.map((p) => `  ${p.path || "(root)"}: ${p.message}`);
    super(`${source ? `${source}: ` : ""}invalid city configuration\n${lines.join("\n")}`);
  }

  /** The same problems, attributed to a file. */
  withSource(source: string): CityConfigError {
    return new CityConfigError(this.problems, source);
  }
}

interface Issue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  expected?: string;
  values?: readonly unknown[];
  keys?: readonly string[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  format?: string;
  issues?: readonly { message: string }[];
}

/**
 * zod/mini ships no locale (it would add ~250 KB to every Lambda), so its
 * messages are "Invalid input"; explain the common codes here.
 */
export function describeIssue(issue: Issue, prefix: readonly PropertyKey[] = []): FieldProblem {
  const path = pathString([...prefix, ...issue.path]);
  if (issue.message && issue.message !== "Invalid input") return { path, message: issue.message };
  const unit = issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : "";
  switch (issue.code) {
    case "invalid_type":
      return { path, message: `expected ${issue.expected}` };
    case "invalid_value":
      return {
        path,
        message: `expected one of ${issue.values?.map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "unrecognized_keys":
      return {
        path,
        message: `unknown field${issue.keys?.length === 1 ? "" : "s"} ${issue.keys?.map((k) => `"${k}"`).join(", ")}`,
      };
    case "too_small":
      return {
        path,
        message: `must be ${issue.inclusive ? "at least" : "more than"} ${issue.minimum}${unit}`,
      };
    case "too_big":
      return {
        path,
        message: `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}${unit}`,
      };
    case "invalid_key":
      return { path, message: `invalid key: ${issue.issues?.[0]?.message ?? "not allowed"}` };
    case "invalid_format":
      return { path, message: `invalid ${issue.format}` };
    default:
      return { path, message: issue.code.replaceAll("_", " ") };
  }
}
