export { type LocalCloud, type LocalCloudOptions, loadCity, startLocalCloud } from "./cloud.js";
export { type DemoSummary, loadDemoData } from "./demo-data.js";
export { type DynamoDbLocal, freePort, startDynamoDbLocal } from "./dynamodb-local.js";
export { synthesize } from "./synth.js";
