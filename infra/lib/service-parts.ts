import type { City } from "@pencai/config";
import type { EventType, RouteDef } from "@pencai/contracts";
import { Duration } from "aws-cdk-lib";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import { ServiceInbox } from "./inbox.js";
import { ServiceFunction } from "./service-function.js";
import type { ServiceTable } from "./service-table.js";

// The two parts every service has in the same shape: an API function behind its routes and an
// inbox function behind its queue. Each gets item access to its own service's table only.

interface PartProps {
  city: City;
  service: string;
  entry: string;
  description: string;
  table: ServiceTable;
}

/** `<Service>Api`: JWT settings from the city's API, its routes on the API. */
export function apiFunction(
  scope: Construct,
  id: string,
  props: PartProps & {
    api: CityApi;
    routes: readonly RouteDef[];
    timeout?: Duration;
    environment?: Record<string, string>;
  },
): ServiceFunction {
  const { api, table } = props;
  const fn = new ServiceFunction(scope, id, {
    city: props.city,
    service: props.service,
    entry: props.entry,
    description: props.description,
    ...(props.timeout && { timeout: props.timeout }),
    environment: {
      TABLE_NAME: table.table.tableName,
      JWT_ISSUER: api.issuer,
      JWT_AUDIENCE: api.client.userPoolClientId,
      JWKS_URL: api.jwksUrl,
      ...props.environment,
    },
  });
  table.grantItemRead(fn.fn);
  table.grantItemWrite(fn.fn);
  api.addRoutes(props.routes, fn.fn);
  return fn;
}

/** `<Service>Inbox`: the consumer function plus its queue and DLQ, subscribed to `eventTypes`. */
export function inboxFunction(
  scope: Construct,
  owner: Construct,
  id: string,
  props: PartProps & {
    topic: sns.ITopic;
    eventTypes: readonly EventType[];
    environment?: Record<string, string>;
  },
): { fn: ServiceFunction; inbox: ServiceInbox } {
  const consumerTimeout = Duration.seconds(30);
  const fn = new ServiceFunction(scope, id, {
    city: props.city,
    service: props.service,
    entry: props.entry,
    description: props.description,
    timeout: consumerTimeout,
    environment: { TABLE_NAME: props.table.table.tableName, ...props.environment },
  });
  props.table.grantItemRead(fn.fn);
  props.table.grantItemWrite(fn.fn);
  const inbox = new ServiceInbox(owner, "Inbox", {
    topic: props.topic,
    eventTypes: props.eventTypes,
    consumer: fn.fn,
    consumerTimeout,
    production: props.city.production,
  });
  return { fn, inbox };
}
