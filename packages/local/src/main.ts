/**
 * `npm start`: the local cloud in the foreground. Flags: --port N, --city ID,
 * --users FILE.csv, --no-demo, --no-schedules, --no-throttling, --quiet, --verbose.
 */
import { parseArgs } from "node:util";
import { loadCity, startLocalCloud } from "./cloud.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    city: { type: "string" },
    users: { type: "string" },
    "no-demo": { type: "boolean" },
    "no-schedules": { type: "boolean" },
    "no-throttling": { type: "boolean" },
    quiet: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(`usage: npm start -- [--port 3000] [--city demo] [--users people.csv] [--no-demo] [--no-schedules] [--no-throttling] [--quiet|--verbose]
env: PENCAI_PORT, PENCAI_CITY, PENCAI_SCHEDULE_SCALE (run schedules N times faster), PENCAI_THROTTLING=off`);
  process.exit(0);
}

// a city that is not there (or a bad file) is a message, not a stack trace
if (values.city) {
  try {
    loadCity(values.city);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}

const started = performance.now();
const cloud = await startLocalCloud({
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values.host ? { host: values.host } : {}),
  ...(values.city ? { city: values.city } : {}),
  ...(values.users ? { users: values.users } : {}),
  demoData: !values["no-demo"],
  schedules: !values["no-schedules"],
  ...(values["no-throttling"] ? { throttling: false } : {}),
  quiet: !!values.quiet,
  verbose: !!values.verbose,
}).catch((e: unknown) => {
  console.error(`local cloud failed to start: ${(e as Error).stack ?? e}`);
  process.exit(1);
});

const community = cloud.city.districts[0]?.streets[0]?.communities[0]?.id ?? "<communityId>";
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`
Pencai local cloud — city "${cloud.city.id}" (${cloud.city.name}), ready in ${seconds} s on Node ${process.versions.node}

  API            ${cloud.url}
  Public board   ${cloud.board ? `${cloud.url}/   (built in ${cloud.board.builtInMs} ms)` : "(off)"}
  OpenAPI        ${cloud.url}/openapi.json
  JWKS           ${cloud.url}/.well-known/jwks.json
  DynamoDB Local ${cloud.dynamodbEndpoint}   (aws dynamodb list-tables --endpoint-url ${cloud.dynamodbEndpoint})
  SNS/SQS/S3     ${cloud.fauxqsEndpoint}   (fauxqs; S3 path-style)
  Functions      ${[...cloud.functions.byId.keys()].join(", ")}
  Jobs           ${
    cloud.functions
      .jobs()
      .map((j) => `POST ${cloud.url}/dev/run/${j}`)
      .join("\n                 ") || "(none)"
  }

Get a token and make a first request:

  TOKEN=$(curl -fsS -X POST ${cloud.url}/dev/token -H 'content-type: application/json' \\
    -d '{"sub":"resident-1","roles":["resident"],"communityId":"${community}","householdId":"hh-1"}' \\
    | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')
  curl -fsS "${cloud.url}/v1/needs?communityId=${community}" -H "authorization: Bearer $TOKEN"

${
  cloud.users?.size
    ? `Users from ${values.users}: ${[...cloud.users.keys()].join(", ")}
  curl -fsS -X POST ${cloud.url}/dev/token -H 'content-type: application/json' -d '{"user":"${[...cloud.users.keys()][0]}"}'

`
    : ""
}Ctrl-C stops everything (DynamoDB Local included).
`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud...`);
  const timer = setTimeout(() => process.exit(1), 10_000);
  timer.unref();
  await cloud.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGHUP", () => void stop("SIGHUP"));
