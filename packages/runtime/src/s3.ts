import { S3Client } from "@aws-sdk/client-s3";

// Its own module (`@pencai/runtime/s3`), not in clients.ts: only a function that really calls
// S3 should carry @aws-sdk/client-s3 in its bundle. (Intake's evidence function does not use
// it: it signs its few S3 requests itself, see services/intake/src/evidence-store.ts.)

let s3Client: S3Client | undefined;
/** S3 client; path-style addressing when `PENCAI_S3_PATH_STYLE=1` (the local S3 needs it). */
export function s3(): S3Client {
  s3Client ??= new S3Client({ forcePathStyle: process.env.PENCAI_S3_PATH_STYLE === "1" });
  return s3Client;
}
