import {
  type ProposalStatus,
  proposalSchema,
  publicProposalSchema,
} from "@pencai/contracts/intake";
import { describe, expect, it } from "vitest";
import { proposalView, publicProposalView } from "../src/domain/views.js";
import { proposalRecord, useTestCity } from "./fixtures.js";

describe("the proposal view shows the programme's current step", () => {
  it("Ningbo: 说 while submitted, 筹 while reported, 评 once completed; valid against the schemas", () => {
    useTestCity("ningbo");
    const at = (status: ProposalStatus) => proposalView(proposalRecord({ status }));
    expect(at("submitted").step).toEqual({ id: "say", name: "说" });
    expect(at("reported").step).toEqual({ id: "fund", name: "筹" });
    expect(at("completed").step).toEqual({ id: "evaluate", name: "评" });
    expect(proposalSchema.safeParse(at("funded")).success).toBe(true);
    const pub = publicProposalView(proposalRecord({ status: "implementing" }));
    expect(pub.step).toEqual({ id: "do", name: "办" });
    expect(publicProposalSchema.safeParse(pub).success).toBe(true);
  });

  it("follows the city's preset (Longgang: endorsed waits on the district) and leaves the exits out", () => {
    useTestCity("longgang");
    expect(proposalView(proposalRecord({ status: "endorsed" })).step).toEqual({
      id: "approve",
      name: "区审核审定",
    });
    expect(proposalView(proposalRecord({ status: "withdrawn" })).step).toBeUndefined();
    expect(
      publicProposalView(proposalRecord({ status: "rejected", rejectedAt: "screening" })).step,
    ).toBeUndefined();
  });
});
