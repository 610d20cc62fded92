import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { loadCityFile } from "@pencai/config/load";
import { cityFile } from "../lib/paths.js";
import { redrive } from "../lib/redrive.js";

// npm run redrive -- --city <id> --queue <service> [--dry-run] [--rate <n>] [--city-file <path>]
const { values } = parseArgs({
  options: {
    city: { type: "string" },
    "city-file": { type: "string" },
    queue: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    rate: { type: "string" },
  },
});
if (!(values.city || values["city-file"]) || !values.queue) {
  console.error(
    "usage: npm run redrive -- --city <id> --queue <service> [--dry-run] [--rate <messages/s>]",
  );
  process.exit(2);
}
const city = loadCityFile(values["city-file"] ?? cityFile(values.city!));
const rate = values.rate === undefined ? undefined : Number(values.rate);
if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 500)) {
  console.error("--rate: an integer from 1 to 500 messages per second");
  process.exit(2);
}
const sqs = new SQSClient({ region: process.env.AWS_REGION ?? city.region });
const result = await redrive(sqs, {
  city: city.id,
  queue: values.queue,
  dryRun: values["dry-run"],
  ...(rate ? { rate } : {}),
});
const say = {
  empty: () => `${result.dlqArn} is empty: nothing to redrive`,
  running: () =>
    `a move out of ${result.dlqArn} is already running (${"moved" in result ? result.moved : 0} moved); run again to check on it`,
  "would-move": () =>
    `would move ${"messages" in result ? result.messages : 0} messages from ${result.dlqArn} to ${"inboxArn" in result ? result.inboxArn : ""}`,
  started: () =>
    `moving ${"messages" in result ? result.messages : 0} messages from ${result.dlqArn} to ${"inboxArn" in result ? result.inboxArn : ""} (task ${"taskHandle" in result ? result.taskHandle : "?"}); run again to check on it`,
};
console.log(say[result.action]());
