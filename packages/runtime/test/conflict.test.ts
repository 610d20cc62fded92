import { invalidState, stale } from "@pencai/contracts/errors";
import { describe, expect, it } from "vitest";
import { retrying } from "../src/conflict.js";

describe("retrying", () => {
  it("runs read-decide-commit again after a lost race and returns the winner's result", async () => {
    let calls = 0;
    const out = await retrying(async () => {
      calls++;
      if (calls < 3) throw stale("the meeting");
      return "done";
    });
    expect(out).toBe("done");
    expect(calls).toBe(3);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    const err = await retrying(async () => {
      calls++;
      throw invalidState("closed");
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "invalid_state" });
    expect(calls).toBe(1);
  });

  it("answers the last conflict after the given number of attempts", async () => {
    let calls = 0;
    const err = await retrying(async () => {
      calls++;
      throw stale("the ledger");
    }, 3).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "conflict" });
    expect(calls).toBe(3);
  });
});
