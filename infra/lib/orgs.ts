import type { City } from "@pencai/config";
import { orgsApiRoutes, orgsInboxEventTypes } from "@pencai/contracts";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import type { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import type { ServiceFunction } from "./service-function.js";
import { apiFunction, inboxFunction } from "./service-parts.js";
import { ServiceTable } from "./service-table.js";

export interface OrgsServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
}

const handlers = "services/orgs/src/handlers";

/**
 * The organisation registry (社会组织登记/备案): organisations through public notice, residents'
 * objections and district review, suspension and exit, and the public list with each one's
 * record of evaluated projects. Its own table, its own inbox (ProposalSubmitted for the applicant
 * organisation, EvaluationClosed for the result) and its own outbox relay (OrgRegistered,
 * OrgStatusChanged: intake keeps the status it checks a proposal's applicant against).
 */
export class OrgsService extends Construct {
  readonly table: ServiceTable;
  readonly apiFunction: ServiceFunction;
  readonly inboxFunction: ServiceFunction;
  readonly relay: OutboxRelay;
  readonly inbox: ServiceInbox;

  constructor(scope: Construct, id: string, props: OrgsServiceProps) {
    super(scope, id);
    const { city, api, topic } = props;
    const service = "orgs";

    this.table = new ServiceTable(this, "Table", { city });
    const parts = { city, service, table: this.table };
    // Functions sit at stack level so their names read OrgsApi, ... in the console.
    this.apiFunction = apiFunction(scope, "OrgsApi", {
      ...parts,
      entry: `${handlers}/api.ts`,
      description:
        "orgs: the organisation registry, objections, review, status and the public list",
      api,
      routes: orgsApiRoutes,
    });
    const inbox = inboxFunction(scope, this, "OrgsInbox", {
      ...parts,
      entry: `${handlers}/inbox.ts`,
      description: "orgs: each organisation's record of evaluated projects from domain events",
      topic,
      eventTypes: orgsInboxEventTypes,
    });
    this.inboxFunction = inbox.fn;
    this.inbox = inbox.inbox;

    this.relay = new OutboxRelay(scope, "OrgsOutboxRelay", {
      city,
      service,
      entry: `${handlers}/relay.ts`,
      table: this.table,
      topic,
    });
  }
}
