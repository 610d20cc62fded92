import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { declareEvidence } from "../src/domain/evidence.js";
import { presignDownload, presignUpload } from "../src/evidence-store.js";
import { proposalRecord, ULID_B } from "./fixtures.js";

beforeAll(() => {
  process.env.EVIDENCE_BUCKET = "evidence-test";
  process.env.AWS_REGION ??= "ap-east-1";
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
});

const bytes = Buffer.from("hello evidence");
const hex = createHash("sha256").update(bytes).digest("hex");
const evidence = () =>
  declareEvidence(
    proposalRecord(),
    {
      purpose: "photo",
      fileName: "a.png",
      contentType: "image/png",
      sizeBytes: bytes.length,
      sha256: hex,
    },
    { evidenceId: ULID_B, uploader: { sub: "s", role: "resident" }, now: new Date() },
  );

describe("presigned evidence URLs", () => {
  it("signs content-type, content-length and the SHA-256 as headers, not query parameters", async () => {
    const { url, headers } = await presignUpload(evidence());
    const q = new URL(url).searchParams;
    expect(q.get("X-Amz-SignedHeaders")!.split(";")).toEqual(
      expect.arrayContaining(["content-length", "content-type", "host", "x-amz-checksum-sha256"]),
    );
    expect(q.has("x-amz-checksum-sha256")).toBe(false);
    expect(Number(q.get("X-Amz-Expires"))).toBeGreaterThanOrEqual(300);
    expect(Number(q.get("X-Amz-Expires"))).toBeLessThanOrEqual(900);
    expect(new URL(url).pathname).toContain(`/evidence/${ULID_B}`);
    expect(headers).toEqual({
      "content-type": "image/png",
      "x-amz-checksum-sha256": createHash("sha256").update(bytes).digest("base64"),
    });
  });

  it("downloads expire after 5 minutes", async () => {
    const url = new URL(await presignDownload(evidence().key));
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
  });
});
