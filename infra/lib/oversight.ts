import type { City } from "@pencai/config";
import { oversightApiRoutes, oversightInboxEventTypes } from "@pencai/contracts";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import type { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import type { ServiceFunction } from "./service-function.js";
import { apiFunction, inboxFunction } from "./service-parts.js";
import { ServiceTable } from "./service-table.js";

export interface OversightServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
}

const handlers = "services/oversight/src/handlers";

/**
 * Oversight: stats from aggregates kept by the events they count, sampling inspection (抽检)
 * with findings and rectification, street performance scores and awareness surveys. Its own
 * table, its own inbox (the whole lifecycle as events: it never reads another service's table)
 * and its own outbox relay (InspectionDrawn, InspectionFinding, RectificationCompleted).
 */
export class OversightService extends Construct {
  readonly table: ServiceTable;
  readonly apiFunction: ServiceFunction;
  readonly inboxFunction: ServiceFunction;
  readonly relay: OutboxRelay;
  readonly inbox: ServiceInbox;

  constructor(scope: Construct, id: string, props: OversightServiceProps) {
    super(scope, id);
    const { city, api, topic } = props;
    const service = "oversight";

    this.table = new ServiceTable(this, "Table", { city });
    const parts = { city, service, table: this.table };
    // Functions sit at stack level so their names read OversightApi, ... in the console.
    this.apiFunction = apiFunction(scope, "OversightApi", {
      ...parts,
      entry: `${handlers}/api.ts`,
      description: "oversight: stats, sampling inspections, street scores, awareness surveys",
      api,
      routes: oversightApiRoutes,
    });
    const inbox = inboxFunction(scope, this, "OversightInbox", {
      ...parts,
      entry: `${handlers}/inbox.ts`,
      description: "oversight: the project projection and the stats aggregates from domain events",
      topic,
      eventTypes: oversightInboxEventTypes,
    });
    this.inboxFunction = inbox.fn;
    this.inbox = inbox.inbox;

    this.relay = new OutboxRelay(scope, "OversightOutboxRelay", {
      city,
      service,
      entry: `${handlers}/relay.ts`,
      table: this.table,
      topic,
    });
  }
}
