import type { City } from "@pencai/config";
import { evaluationApiRoutes, evaluationInboxEventTypes } from "@pencai/contracts";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import type { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import type { ServiceFunction } from "./service-function.js";
import { apiFunction, inboxFunction } from "./service-parts.js";
import { ServiceTable } from "./service-table.js";

export interface EvaluationServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
}

const handlers = "services/evaluation/src/handlers";

/**
 * Evaluation: the accountable owner and milestone plan, progress, payments gated by progress and
 * money received, contributions by source, the spending notice, completion and the satisfaction
 * panel (一菜一评). Its own table, its own inbox (proposals, approvals, disbursements, verified
 * evidence, as events: it never reads another service's table) and its own outbox relay. No S3:
 * progress cites evidence that intake verified.
 */
export class EvaluationService extends Construct {
  readonly table: ServiceTable;
  readonly apiFunction: ServiceFunction;
  readonly inboxFunction: ServiceFunction;
  readonly relay: OutboxRelay;
  readonly inbox: ServiceInbox;

  constructor(scope: Construct, id: string, props: EvaluationServiceProps) {
    super(scope, id);
    const { city, api, topic } = props;
    const service = "evaluation";

    this.table = new ServiceTable(this, "Table", { city });
    const parts = { city, service, table: this.table };
    // Functions sit at stack level so their names read EvaluationApi, ... in the console.
    this.apiFunction = apiFunction(scope, "EvaluationApi", {
      ...parts,
      entry: `${handlers}/api.ts`,
      description:
        "evaluation: implementation, progress, payments, contributions, satisfaction panels",
      api,
      routes: evaluationApiRoutes,
    });
    const inbox = inboxFunction(scope, this, "EvaluationInbox", {
      ...parts,
      entry: `${handlers}/inbox.ts`,
      description:
        "evaluation: project proposals, approvals, disbursements and evidence from domain events",
      topic,
      eventTypes: evaluationInboxEventTypes,
    });
    this.inboxFunction = inbox.fn;
    this.inbox = inbox.inbox;

    this.relay = new OutboxRelay(scope, "EvaluationOutboxRelay", {
      city,
      service,
      entry: `${handlers}/relay.ts`,
      table: this.table,
      topic,
    });
  }
}
