import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkConfirmable,
  declareEvidence,
  evidenceKey,
  hexToBase64,
  mismatches,
  quarantineKey,
  shanghaiDay,
  toHex,
  uploadKey,
} from "../src/domain/evidence.js";
import { proposalRecord, ULID_A, ULID_B } from "./fixtures.js";

const bytes = Buffer.from("%PDF-1.4 minutes");
const hex = createHash("sha256").update(bytes).digest("hex");
const b64 = createHash("sha256").update(bytes).digest("base64");
const now = new Date("2026-03-01T08:00:00.000Z");
const declared = () =>
  declareEvidence(
    proposalRecord(),
    {
      purpose: "minutes",
      fileName: "m.pdf",
      contentType: "application/pdf",
      sizeBytes: bytes.length,
      sha256: hex.toUpperCase(),
    },
    { evidenceId: ULID_B, uploader: { sub: "res-1", role: "resident" }, now },
  );

describe("evidence", () => {
  it("accepts the SHA-256 in hex or base64 and converts for S3", () => {
    expect(toHex(hex.toUpperCase())).toBe(hex);
    expect(toHex(b64)).toBe(hex);
    expect(hexToBase64(hex)).toBe(b64);
  });

  it("declares a pending record whose upload lands under uploads/ (which expires), apart from kept evidence", () => {
    const e = declared();
    expect(e).toMatchObject({ status: "pending", sha256: hex, key: `uploads/${ULID_A}/${ULID_B}` });
    expect(uploadKey(ULID_A, ULID_B)).toBe(e.key);
    expect(evidenceKey(ULID_A, ULID_B)).toBe(`proposals/${ULID_A}/evidence/${ULID_B}`);
    expect(quarantineKey(ULID_A, ULID_B)).toBe(`quarantine/${ULID_A}/${ULID_B}`);
  });

  it("counts quota days in Asia/Shanghai", () => {
    expect(shanghaiDay(new Date("2026-03-01T15:59:59Z"))).toBe("2026-03-01");
    expect(shanghaiDay(new Date("2026-03-01T16:00:00Z"))).toBe("2026-03-02");
  });

  it("takes no evidence for withdrawn or rejected proposals", () => {
    for (const status of ["withdrawn", "rejected"] as const) {
      expect(() =>
        declareEvidence(
          proposalRecord({ status }),
          { purpose: "x", fileName: "a", contentType: "image/png", sizeBytes: 1, sha256: hex },
          {
            evidenceId: ULID_B,
            uploader: { sub: "s", role: "resident" },
            now,
          },
        ),
      ).toThrow(/takes no evidence/);
    }
  });

  it("compares size, type and hash of the stored bytes", () => {
    const e = declared();
    expect(
      mismatches(e, { sizeBytes: bytes.length, contentType: "application/pdf", sha256: hex }),
    ).toEqual([]);
    expect(
      mismatches(e, {
        sizeBytes: bytes.length,
        contentType: "Application/PDF; charset=binary",
        sha256: hex,
      }),
    ).toEqual([]);
    expect(
      mismatches(e, { sizeBytes: 3, contentType: "image/png", sha256: "0".repeat(64) }),
    ).toEqual(["size", "contentType", "sha256"]);
    expect(mismatches(e, { sizeBytes: bytes.length, contentType: undefined, sha256: hex })).toEqual(
      ["contentType"],
    );
  });

  it("confirms pending evidence of a live proposal; verified answers as itself; rejected is final", () => {
    const e = declared();
    const live = proposalRecord();
    expect(checkConfirmable(e, live)).toBe("verify");
    expect(checkConfirmable({ ...e, status: "verified" }, live)).toBe("done");
    expect(() => checkConfirmable({ ...e, status: "rejected" }, live)).toThrow(/rejected/);
    for (const status of ["withdrawn", "rejected"] as const) {
      expect(() => checkConfirmable(e, proposalRecord({ status }))).toThrow(/takes no evidence/);
      // verified while the proposal was live: it stays verified
      expect(checkConfirmable({ ...e, status: "verified" }, proposalRecord({ status }))).toBe(
        "done",
      );
    }
  });
});
