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
import { applyImport, describePlan, ImportConflict, planImport } from "./cognito-import.js";
import { formatErrors, parseUsersCsv } from "./users-csv.js";

const usage = `usage: npm run users -- import <file.csv> --city <id> [--user-pool-id <pool id>] [--region <region>] [--dry-run]
  --city          reads infra/cities/<id>.json (default env PENCAI_CITY or demo)
  --user-pool-id  default: output UserPoolId of the deployed stack Pencai-<id>
  --region        default: the city file's region`;

export interface Io {
  log(line: string): void;
  error(line: string): void;
}

/** The whole command; resolves to the exit code (0 done, 1 refused or failed, 2 usage). */
export async function runUsers(argv: string[], io: Io = console): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
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
    io.error(usage);
    return values.help ? 0 : 2;
  }

  const cityId = values.city ?? process.env.PENCAI_CITY ?? "demo";
  const cities = fileURLToPath(new URL("../../../infra/cities/", import.meta.url));
  if (!existsSync(join(cities, `${cityId}.json`))) {
    const known = readdirSync(cities)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
    io.error(`no city ${JSON.stringify(cityId)}; cities: ${known.join(", ")}`);
    return 2;
  }
  const city = loadCityFile(join(cities, `${cityId}.json`));
  const parsed = parseUsersCsv(readFileSync(file, "utf8"), city);
  if ("errors" in parsed) {
    io.error(formatErrors(file, parsed.errors));
    io.error(`nothing imported: ${parsed.errors.length} problem(s) in ${file}`);
    return 1;
  }

  const region = values.region ?? city.region;
  try {
    let poolId = values["user-pool-id"];
    if (!poolId) {
      const StackName = `Pencai-${city.id}`;
      const out = await new CloudFormationClient({ region }).send(
        new DescribeStacksCommand({ StackName }),
      );
      poolId = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === "UserPoolId")?.OutputValue;
      if (!poolId) {
        io.error(`stack ${StackName} in ${region} has no UserPoolId output; pass --user-pool-id`);
        return 1;
      }
    }
    const cognito = new CognitoIdentityProviderClient({ region });
    const plans = await planImport(cognito, poolId, parsed.users);
    const count = (o: string) => plans.filter((p) => p.outcome === o).length;
    const summary = `${count("created")} created, ${count("updated")} updated, ${count("unchanged")} unchanged`;
    if (values["dry-run"]) {
      for (const p of plans) io.log(describePlan(p));
      io.log(`dry run, nothing written (${summary}) in ${poolId}`);
      return 0;
    }
    // every line was checked and every user read before this first write; one user at a time,
    // so a failure (network, throttling) says which users were done
    for (const p of plans) {
      try {
        await applyImport(cognito, poolId, [p]);
      } catch (err) {
        io.error(`failed at ${p.username} (line ${p.line}): ${(err as Error).message}`);
        io.error("the users above were written; fix and run again (it is safe to repeat)");
        return 1;
      }
      io.log(describePlan(p));
    }
    io.log(`${summary} in ${poolId}`);
    return 0;
  } catch (err) {
    if (err instanceof ImportConflict) {
      io.error(formatErrors(file, err.errors));
      io.error(`nothing imported: ${err.errors.length} problem(s) against the pool`);
      return 1;
    }
    const e = err as Error;
    io.error(`users: ${e.name}: ${e.message}`);
    return 1;
  }
}
