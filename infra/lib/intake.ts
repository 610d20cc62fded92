import type { City } from "@pencai/config";
import { intakeApiRoutes, intakeEvidenceRoutes, intakeInboxEventTypes } from "@pencai/contracts";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import { TimelineDigest } from "./digest.js";
import type { EvidenceBucket } from "./evidence-bucket.js";
import type { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import type { ServiceFunction } from "./service-function.js";
import { apiFunction, inboxFunction } from "./service-parts.js";
import { ServiceTable } from "./service-table.js";

export interface IntakeServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
  evidence: EvidenceBucket;
}

const handlers = "services/intake/src/handlers";

/** Intake: needs, proposals, screening, timeline, evidence and the public read API. */
export class IntakeService extends Construct {
  readonly table: ServiceTable;
  readonly apiFunction: ServiceFunction;
  readonly evidenceFunction: ServiceFunction;
  readonly inboxFunction: ServiceFunction;
  readonly relay: OutboxRelay;
  readonly inbox: ServiceInbox;
  readonly digest: TimelineDigest;

  constructor(scope: Construct, id: string, props: IntakeServiceProps) {
    super(scope, id);
    const { city, api, topic, evidence } = props;
    const service = "intake";

    this.table = new ServiceTable(this, "Table", { city });
    const parts = { city, service, table: this.table, api };

    // Functions sit at stack level so their names read IntakeApi, IntakeEvidence, ... in the console.
    this.apiFunction = apiFunction(scope, "IntakeApi", {
      ...parts,
      entry: `${handlers}/api.ts`,
      description: "intake: needs, proposals, screening, timeline, public read API",
      routes: intakeApiRoutes,
    });
    this.evidenceFunction = apiFunction(scope, "IntakeEvidence", {
      ...parts,
      entry: `${handlers}/evidence.ts`,
      description: "intake: presigned evidence uploads, verification, downloads",
      routes: intakeEvidenceRoutes,
      environment: { EVIDENCE_BUCKET: evidence.bucket.bucketName },
    });
    evidence.grantEvidenceAccess(this.evidenceFunction.fn);

    const inbox = inboxFunction(scope, this, "IntakeInbox", {
      city,
      service,
      table: this.table,
      entry: `${handlers}/inbox.ts`,
      description: "intake: consume domain events into the proposal registry",
      topic,
      eventTypes: intakeInboxEventTypes,
    });
    this.inboxFunction = inbox.fn;
    this.inbox = inbox.inbox;

    this.digest = new TimelineDigest(this, "Digest", {
      city,
      api,
      table: this.table,
      accessLogs: evidence.accessLogs,
    });

    this.relay = new OutboxRelay(scope, "IntakeOutboxRelay", {
      city,
      service,
      entry: `${handlers}/relay.ts`,
      table: this.table,
      topic,
    });
  }
}
