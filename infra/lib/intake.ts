import type { City } from "@pencai/config";
import { intakeApiRoutes, intakeEvidenceRoutes, intakeInboxEventTypes } from "@pencai/contracts";
import { Duration } from "aws-cdk-lib";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import type { EvidenceBucket } from "./evidence-bucket.js";
import { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import { ServiceFunction } from "./service-function.js";
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

  constructor(scope: Construct, id: string, props: IntakeServiceProps) {
    super(scope, id);
    const { city, api, topic, evidence } = props;
    const service = "intake";

    this.table = new ServiceTable(this, "Table", { city });
    const tableEnv = { TABLE_NAME: this.table.table.tableName };
    const jwtEnv = {
      JWT_ISSUER: api.issuer,
      JWT_AUDIENCE: api.client.userPoolClientId,
      JWKS_URL: api.jwksUrl,
    };

    // Functions sit at stack level so their names read IntakeApi, IntakeEvidence, ... in the console.
    this.apiFunction = new ServiceFunction(scope, "IntakeApi", {
      city,
      service,
      entry: `${handlers}/api.ts`,
      description: "intake: needs, proposals, screening, timeline, public read API",
      environment: { ...tableEnv, ...jwtEnv },
    });
    this.table.grantItemRead(this.apiFunction.fn);
    this.table.grantItemWrite(this.apiFunction.fn);
    api.addRoutes(intakeApiRoutes, this.apiFunction.fn);

    this.evidenceFunction = new ServiceFunction(scope, "IntakeEvidence", {
      city,
      service,
      entry: `${handlers}/evidence.ts`,
      description: "intake: presigned evidence uploads, verification, downloads",
      environment: { ...tableEnv, ...jwtEnv, EVIDENCE_BUCKET: evidence.bucket.bucketName },
    });
    this.table.grantItemRead(this.evidenceFunction.fn);
    this.table.grantItemWrite(this.evidenceFunction.fn);
    evidence.grantEvidenceAccess(this.evidenceFunction.fn);
    api.addRoutes(intakeEvidenceRoutes, this.evidenceFunction.fn);

    const inboxTimeout = Duration.seconds(30);
    this.inboxFunction = new ServiceFunction(scope, "IntakeInbox", {
      city,
      service,
      entry: `${handlers}/inbox.ts`,
      description: "intake: consume domain events into the proposal registry",
      timeout: inboxTimeout,
      environment: tableEnv,
    });
    this.table.grantItemRead(this.inboxFunction.fn);
    this.table.grantItemWrite(this.inboxFunction.fn);
    this.inbox = new ServiceInbox(this, "Inbox", {
      topic,
      eventTypes: intakeInboxEventTypes,
      consumer: this.inboxFunction.fn,
      consumerTimeout: inboxTimeout,
      production: city.production,
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
