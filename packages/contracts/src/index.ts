import { approvalApiRoutes } from "./approval.js";
import { deliberationApiRoutes } from "./deliberation.js";
import { intakeDigestRoutes } from "./digest.js";
import { evaluationApiRoutes } from "./evaluation.js";
import { exportsApiRoutes } from "./exports.js";
import { intakeApiRoutes, intakeEvidenceRoutes } from "./intake.js";
import { orgsApiRoutes } from "./orgs.js";
import { oversightApiRoutes } from "./oversight.js";

export * from "./approval.js";
export * from "./deliberation.js";
export * from "./digest.js";
export * from "./errors.js";
export * from "./evaluation.js";
export * from "./event-data.js";
export * from "./events.js";
export * from "./exports.js";
export * from "./http.js";
export * from "./intake.js";
export * from "./openapi.js";
export * from "./orgs.js";
export * from "./oversight.js";
export * from "./roles.js";
export * from "./text.js";

/** Every service's routes: infra, the OpenAPI document and the typed client are built from this list. */
export const allRoutes = [
  ...intakeApiRoutes,
  ...intakeEvidenceRoutes,
  ...intakeDigestRoutes,
  ...deliberationApiRoutes,
  ...approvalApiRoutes,
  ...evaluationApiRoutes,
  ...oversightApiRoutes,
  ...exportsApiRoutes,
  ...orgsApiRoutes,
] as const;
