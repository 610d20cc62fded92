import { getDigest, getLatestDigest, getProposalProof } from "@pencai/contracts/digest";
import { notFound } from "@pencai/contracts/errors";
import { httpApi, route } from "@pencai/runtime/http";
import * as store from "../digest-store.js";
import { digestSummary, proofIn } from "../domain/digest.js";

// The public digest routes (no token): the latest day's root, a day's whole tree, and a
// proposal's proof against the latest root. Documents come from the object-locked bucket, the
// latest day from the table's pointer (services/intake/README.md: how anyone checks them).

export const handler = httpApi({
  service: "intake",
  routes: [
    route(getLatestDigest, async () => {
      const latest = await store.getLatestDigestRecord();
      if (!latest) throw notFound("digest (none made yet)");
      return { body: digestSummary(latest) };
    }),

    route(getDigest, async (req) => {
      const doc = await store.getDigestDocument(req.params.date);
      if (!doc) throw notFound(`digest ${req.params.date}`);
      return { body: doc };
    }),

    route(getProposalProof, async (req) => {
      const latest = await store.getLatestDigestRecord();
      const doc = latest && (await store.getDigestDocument(latest.date));
      const proof = doc && (await proofIn(doc, req.params.id));
      if (!proof) throw notFound(`proposal ${req.params.id} in the latest digest`);
      return { body: proof };
    }),
  ],
});
