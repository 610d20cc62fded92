/**
 * `npm run users -- import <file.csv> --city <id> [--user-pool-id <id>] [--dry-run]`: create or
 * update a city's Cognito users from a CSV. The city file (`infra/cities/<id>.json`) checks
 * places; the pool is `--user-pool-id` or the deployed stack's `UserPoolId` output.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { loadCityFile } from "@pencai/config/load";
import { applyImport, describePlan, planImport } from "./cognito-import.js";
import { formatErrors, parseUsersCsv } from "./users-csv.js";

const usage = `usage: npm run users -- import <file.csv> --city <id> [--user-pool-id <pool id>] [--region <region>] [--dry-run]
  --city          reads infra/cities/<id>.json (default env PENCAI_CITY or demo)
  --user-pool-id  default: output UserPoolId of the deployed stack Pencai-<id>
  --region        default: the city file's region`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    city: { type: "string" },
    "user-pool-id": { type: "string" },
    region: { type: "string" },
    "dry-run": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const [command, file] = positionals;
if (values.help || command !== "import" || !file || positionals.length > 2) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const cityId = values.city ?? process.env.PENCAI_CITY ?? "demo";
const cities = fileURLToPath(new URL("../../../infra/cities/", import.meta.url));
if (!existsSync(join(cities, `${cityId}.json`))) {
  const known = readdirSync(cities)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5));
  console.error(`no city ${JSON.stringify(cityId)}; cities: ${known.join(", ")}`);
  process.exit(2);
}
const city = loadCityFile(join(cities, `${cityId}.json`));
const parsed = parseUsersCsv(readFileSync(file, "utf8"), city);
if ("errors" in parsed) {
  console.error(formatErrors(file, parsed.errors));
  console.error(`nothing imported: ${parsed.errors.length} problem(s) in ${file}`);
  process.exit(1);
}

const { users } = parsed;
await importUsers().catch((err: unknown) => {
  const e = err as Error;
  console.error(`users: ${e.name}: ${e.message}`);
  process.exit(1);
});

async function importUsers(): Promise<void> {
  const region = values.region ?? city.region;
  let poolId = values["user-pool-id"];
  if (!poolId) {
    const StackName = `Pencai-${city.id}`;
    const out = await new CloudFormationClient({ region }).send(
      new DescribeStacksCommand({ StackName }),
    );
    poolId = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === "UserPoolId")?.OutputValue;
    if (!poolId) {
      console.error(
        `stack ${StackName} in ${region} has no UserPoolId output; pass --user-pool-id`,
      );
      process.exit(1);
    }
  }

  const cognito = new CognitoIdentityProviderClient({ region });
  const plans = await planImport(cognito, poolId, users);
  const count = (o: string) => plans.filter((p) => p.outcome === o).length;
  const summary = `${count("created")} created, ${count("updated")} updated, ${count("unchanged")} unchanged`;
  if (values["dry-run"]) {
    for (const p of plans) console.log(describePlan(p));
    console.log(`dry run, nothing written (${summary}) in ${poolId}`);
  } else {
    // every line was checked and every user read before this first write; one user at a time,
    // so a failure (network, throttling) says which users were done
    for (const p of plans) {
      await applyImport(cognito, poolId, [p]).catch((err: unknown) => {
        console.error(`failed at ${p.username} (line ${p.line}): ${(err as Error).message}`);
        console.error("the users above were written; fix and run again (it is safe to repeat)");
        process.exit(1);
      });
      console.log(describePlan(p));
    }
    console.log(`${summary} in ${poolId}`);
  }
}
