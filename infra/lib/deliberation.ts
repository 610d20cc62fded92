import type { City } from "@pencai/config";
import { deliberationApiRoutes, deliberationInboxEventTypes } from "@pencai/contracts";
import { Duration } from "aws-cdk-lib";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import { ServiceFunction } from "./service-function.js";
import { ServiceTable } from "./service-table.js";

export interface DeliberationServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
}

const handlers = "services/deliberation/src/handlers";

/**
 * Deliberation never deletes an item (a ballot, a consent, an answer is changed or kept, never
 * removed), so its functions get no DeleteItem. infra/test/city-stack.test.ts fails if the
 * service's code starts deleting, before IAM would on AWS (the local cloud does not enforce IAM).
 */
export const deliberationItemWrite = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:ConditionCheckItem",
] as const;

/**
 * Deliberation: council meetings, ballots, household consent, expert review and the priority
 * ranking. Its own table, its own inbox (screened and withdrawn proposals, as events: it never
 * reads intake's table) and its own outbox relay. No S3: minutes and sign-in sheets are evidence
 * filed through intake's evidence routes.
 */
export class DeliberationService extends Construct {
  readonly table: ServiceTable;
  readonly apiFunction: ServiceFunction;
  readonly inboxFunction: ServiceFunction;
  readonly relay: OutboxRelay;
  readonly inbox: ServiceInbox;

  constructor(scope: Construct, id: string, props: DeliberationServiceProps) {
    super(scope, id);
    const { city, api, topic } = props;
    const service = "deliberation";

    this.table = new ServiceTable(this, "Table", { city });
    const tableEnv = { TABLE_NAME: this.table.table.tableName };

    // Functions sit at stack level so their names read DeliberationApi, ... in the console.
    this.apiFunction = new ServiceFunction(scope, "DeliberationApi", {
      city,
      service,
      entry: `${handlers}/api.ts`,
      description: "deliberation: council meetings, ballots, consent, expert review, rankings",
      environment: {
        ...tableEnv,
        JWT_ISSUER: api.issuer,
        JWT_AUDIENCE: api.client.userPoolClientId,
        JWKS_URL: api.jwksUrl,
      },
    });
    this.table.grantItemRead(this.apiFunction.fn);
    this.table.grantItemWrite(this.apiFunction.fn, deliberationItemWrite);
    api.addRoutes(deliberationApiRoutes, this.apiFunction.fn);

    const inboxTimeout = Duration.seconds(30);
    this.inboxFunction = new ServiceFunction(scope, "DeliberationInbox", {
      city,
      service,
      entry: `${handlers}/inbox.ts`,
      description: "deliberation: project screened and withdrawn proposals from domain events",
      timeout: inboxTimeout,
      environment: tableEnv,
    });
    this.table.grantItemRead(this.inboxFunction.fn);
    this.table.grantItemWrite(this.inboxFunction.fn, deliberationItemWrite);
    this.inbox = new ServiceInbox(this, "Inbox", {
      topic,
      eventTypes: deliberationInboxEventTypes,
      consumer: this.inboxFunction.fn,
      consumerTimeout: inboxTimeout,
      production: city.production,
    });

    this.relay = new OutboxRelay(scope, "DeliberationOutboxRelay", {
      city,
      service,
      entry: `${handlers}/relay.ts`,
      table: this.table,
      topic,
    });
  }
}
