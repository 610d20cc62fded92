import { intakeDigestRoutes } from "@pencai/contracts";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { type BadInputCase, badInputTests } from "../support/matrix.js";

// The bad-input matrix of the public digest routes (services/intake/README.md): each bad
// request gets the right status, problem code and problem+json, and writes nothing. They take
// no token, so every refusal is about the path. `latest` has no input: before the first digest
// it is 404 (test/e2e/authorization-matrix.test.ts allows every caller), after it 200.

const UNKNOWN = ulid();
const day = "GET /v1/public/digests/{date}";
const proof = "GET /v1/public/proposals/{id}/proof";

const dayCase = (name: string, date: string, status = 400, code = "validation_failed") =>
  ({
    name: `${day}: ${name}`,
    method: "GET",
    path: () => `/v1/public/digests/${encodeURIComponent(date)}`,
    status,
    code,
    ...(status === 400 && { errorPath: "params.date" }),
  }) satisfies BadInputCase;

const proofCase = (name: string, id: string, status = 400, code = "validation_failed") =>
  ({
    name: `${proof}: ${name}`,
    method: "GET",
    path: () => `/v1/public/proposals/${encodeURIComponent(id)}/proof`,
    status,
    code,
    ...(status === 400 && { errorPath: "params.id" }),
  }) satisfies BadInputCase;

const cases: BadInputCase[] = [
  dayCase("a day that does not exist", "2026-02-30"),
  dayCase("a day without its zeros", "2026-2-3"),
  dayCase("a time instead of a day", "2026-02-03T00:00:00Z"),
  dayCase("words", "yesterday"),
  dayCase("a year before the programme", "2014-12-31"),
  dayCase("a day without a digest", "2015-01-01", 404, "not_found"),
  proofCase("an id that is not a ULID", "not-a-proposal"),
  proofCase("a lower-case ULID", UNKNOWN.toLowerCase()),
  proofCase("a proposal nobody made", UNKNOWN, 404, "not_found"),
];

describe("digest bad-input matrix", () => {
  it("covers every digest route that takes input", () => {
    const routes = new Set(cases.map((c) => c.name.split(":")[0]));
    const withInput = intakeDigestRoutes.filter((r) => "params" in r);
    expect([...routes].sort()).toEqual(withInput.map((r) => `${r.method} ${r.path}`).sort());
  });

  badInputTests(cases);
});
