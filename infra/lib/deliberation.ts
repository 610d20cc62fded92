import type { City } from "@pencai/config";
import { deliberationApiRoutes, deliberationInboxEventTypes } from "@pencai/contracts";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import type { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import type { ServiceFunction } from "./service-function.js";
import { apiFunction, inboxFunction } from "./service-parts.js";
import { ServiceTable } from "./service-table.js";

export interface DeliberationServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
}

const handlers = "services/deliberation/src/handlers";

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
    const parts = {
      city,
      service,
      table: this.table,
    };
    // Functions sit at stack level so their names read DeliberationApi, ... in the console.
    this.apiFunction = apiFunction(scope, "DeliberationApi", {
      ...parts,
      entry: `${handlers}/api.ts`,
      description: "deliberation: council meetings, ballots, consent, expert review, rankings",
      api,
      routes: deliberationApiRoutes,
    });
    const inbox = inboxFunction(scope, this, "DeliberationInbox", {
      ...parts,
      entry: `${handlers}/inbox.ts`,
      description: "deliberation: project screened and withdrawn proposals from domain events",
      topic,
      eventTypes: deliberationInboxEventTypes,
    });
    this.inboxFunction = inbox.fn;
    this.inbox = inbox.inbox;

    this.relay = new OutboxRelay(scope, "DeliberationOutboxRelay", {
      city,
      service,
      entry: `${handlers}/relay.ts`,
      table: this.table,
      topic,
    });
  }
}
