import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkConfirmable,
  declareEvidence,
  evidenceKey,
  hexToBase64,
  mismatches,
  quarantineKey,
  toHex,
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

  it("declares a pending record under the proposal's evidence key", () => {
    const e = declared();
    expect(e).toMatchObject({
      status: "pending",
      sha256: hex,
      key: `proposals/${ULID_A}/evidence/${ULID_B}`,
    });
    expect(evidenceKey(ULID_A, ULID_B)).toBe(e.key);
    expect(quarantineKey(e.key)).toBe(`quarantine/proposals/${ULID_A}/evidence/${ULID_B}`);
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

  it("confirms pending evidence; verified answers as itself; rejected is final", () => {
    const e = declared();
    expect(checkConfirmable(e)).toBe("verify");
    expect(checkConfirmable({ ...e, status: "verified" })).toBe("done");
    expect(() => checkConfirmable({ ...e, status: "rejected" })).toThrow(/rejected/);
  });
});
