import { createHash } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ddb } from "@pencai/runtime/clients";
import { objectRequest } from "@pencai/runtime/s3";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  DOWNLOAD_TTL_SECONDS,
  declareEvidence,
  UPLOAD_TTL_SECONDS,
} from "../src/domain/evidence.js";
import {
  keep,
  measure,
  presignDownload,
  presignUpload,
  quarantine,
  signedUploadHeaders,
} from "../src/evidence-store.js";
import { proposalRecord, ULID_A, ULID_B } from "./fixtures.js";

// Fixed credentials (with a session token, as on Lambda) and region: the store signs with the
// DynamoDB client's providers, which read them from the environment on first use.
const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session/token+with=odd&chars",
};
const REGION = "cn-north-1";
const BUCKET = "citystack-evidencebucket-1a2b3c4d5e6f";

beforeAll(() => {
  process.env.EVIDENCE_BUCKET = BUCKET;
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.PENCAI_S3_PATH_STYLE;
});

afterEach(() => {
  vi.useRealTimers();
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.PENCAI_S3_PATH_STYLE;
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
    expect(new URL(url).pathname).toContain(`/uploads/${ULID_A}/${ULID_B}`);
    expect(headers).toEqual({
      "content-type": "image/png",
      "x-amz-checksum-sha256": createHash("sha256").update(bytes).digest("base64"),
    });
  });

  it("downloads expire after 5 minutes and name the verified version", async () => {
    const url = new URL(await presignDownload(`proposals/${ULID_A}/evidence/${ULID_B}`, "v.1~x"));
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(url.searchParams.get("versionId")).toBe("v.1~x");
  });
});

describe("keeping and quarantining an upload (server-side copies of the measured version)", () => {
  const stored = {
    sizeBytes: bytes.length,
    contentType: "image/png",
    sha256: hex,
    versionId: "up-v1",
  };
  /** Answers every S3 request with `status` and `headers`; records what was sent. */
  function s3Answers(status: number, headers: Record<string, string>, body = "") {
    const sent: {
      method: string;
      path: string;
      query: unknown;
      headers: Record<string, string>;
    }[] = [];
    vi.spyOn(ddb.config.requestHandler, "handle").mockImplementation(async (req: unknown) => {
      const r = req as {
        method: string;
        path: string;
        query: unknown;
        headers: Record<string, string>;
      };
      sent.push({ method: r.method, path: r.path, query: r.query, headers: r.headers });
      return {
        response: {
          statusCode: status,
          headers,
          body: (async function* () {
            yield Buffer.from(body);
          })(),
        },
      } as never;
    });
    return sent;
  }
  afterEach(() => vi.restoreAllMocks());

  it("keeps the measured version under object lock at the evidence path and answers the copy's version", async () => {
    const sent = s3Answers(200, { "x-amz-version-id": "kept-v7" }, "<CopyObjectResult/>");
    const until = new Date("2027-12-02T00:00:00.000Z");
    const kept = await keep(evidence(), stored, until);
    expect(kept).toEqual({ key: `proposals/${ULID_A}/evidence/${ULID_B}`, versionId: "kept-v7" });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe("PUT");
    expect(sent[0]!.path).toContain(`/proposals/${ULID_A}/evidence/${ULID_B}`);
    expect(sent[0]!.headers).toMatchObject({
      "x-amz-copy-source": `${BUCKET}/uploads/${ULID_A}/${ULID_B}?versionId=up-v1`,
      "x-amz-object-lock-mode": "GOVERNANCE",
      "x-amz-object-lock-retain-until-date": until.toISOString(),
    });
  });

  it("copies a rejected upload to quarantine/ and deletes nothing", async () => {
    const sent = s3Answers(200, {}, "<CopyObjectResult/>");
    expect(await quarantine(evidence(), { ...stored, versionId: undefined })).toBe(
      `quarantine/${ULID_A}/${ULID_B}`,
    );
    expect(sent.map((r) => r.method)).toEqual(["PUT"]);
    expect(sent[0]!.headers["x-amz-copy-source"]).toBe(`${BUCKET}/uploads/${ULID_A}/${ULID_B}`);
  });

  it("fails a copy that answers 200 with an error document", async () => {
    s3Answers(200, {}, "<Error><Code>InternalError</Code></Error>");
    await expect(keep(evidence(), stored, new Date())).rejects.toMatchObject({
      code: "InternalError",
    });
  });

  it("measures the bytes and notes the version read", async () => {
    s3Answers(200, { "content-type": "image/png", "x-amz-version-id": "up-v1" }, "hello evidence");
    expect(await measure(evidence().key)).toEqual(stored);
  });
});

// The store signs with @smithy/signature-v4 instead of the S3 client (bundle size, see the
// README): with the same clock and credentials its URLs must equal the S3 client's, byte for byte.
describe("equivalence with @aws-sdk/client-s3 + getSignedUrl", () => {
  const sdk = (opts: { forcePathStyle?: boolean; endpoint?: string } = {}) =>
    new S3Client({
      region: REGION,
      credentials,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...opts,
    });
  const sdkUpload = (client: S3Client) => {
    const e = evidence();
    return getSignedUrl(
      client,
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: e.key,
        ContentType: e.contentType,
        ContentLength: e.sizeBytes,
        ChecksumSHA256: Buffer.from(e.sha256, "hex").toString("base64"),
      }),
      {
        expiresIn: UPLOAD_TTL_SECONDS,
        signableHeaders: new Set(signedUploadHeaders),
        unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
      },
    );
  };
  const sdkDownload = (client: S3Client) =>
    getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: evidence().key,
        VersionId: "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
      }),
      { expiresIn: DOWNLOAD_TTL_SECONDS },
    );

  const cases = [
    { name: "virtual-hosted, China region endpoint", env: {}, client: {} },
    {
      name: "path-style on an endpoint override (the local cloud)",
      env: { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:4566", PENCAI_S3_PATH_STYLE: "1" },
      client: { endpoint: "http://127.0.0.1:4566", forcePathStyle: true },
    },
    {
      name: "virtual-hosted on an endpoint override",
      env: { AWS_ENDPOINT_URL_S3: "https://s3.example.internal" },
      client: { endpoint: "https://s3.example.internal" },
    },
  ];

  for (const c of cases) {
    it(`PUT and GET: ${c.name}`, async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2026-11-05T08:09:10.000Z"));
      Object.assign(process.env, c.env);
      const client = sdk(c.client);
      const mine = await presignUpload(evidence());
      expect(mine.url).toBe(await sdkUpload(client));
      expect(await presignDownload(evidence().key, "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")).toBe(
        await sdkDownload(client),
      );
    });
  }

  it("addresses buckets like the S3 client in every kind of region", async () => {
    for (const region of ["cn-north-1", "cn-northwest-1", "ap-east-1", "us-east-1", "eu-west-1"]) {
      for (const bucket of [BUCKET, "with.dots.bucket"]) {
        const url = new URL(
          await getSignedUrl(
            new S3Client({ region, credentials }),
            new GetObjectCommand({ Bucket: bucket, Key: "a/b c/d" }),
          ),
        );
        const r = objectRequest(region, "GET", bucket, "a/b c/d");
        expect(`${r.protocol}//${r.hostname}${r.path}`, `${region} ${bucket}`).toBe(
          `${url.protocol}//${url.hostname}${url.pathname}`,
        );
      }
    }
  });
});
