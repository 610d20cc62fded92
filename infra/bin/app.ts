import { readdirSync } from "node:fs";
import { CityConfigError } from "@pencai/config";
import { loadCityFile } from "@pencai/config/load";
import { buildApp } from "../lib/app.js";
import { cityFile, cityFileExists, fromRoot } from "../lib/paths.js";

// `npx cdk synth|deploy -c city=<id>` reads infra/cities/<id>.json; `-c cityFile=<path>` reads a
// city file kept elsewhere. The CLI hands context over in CDK_CONTEXT_JSON.
const context = JSON.parse(process.env.CDK_CONTEXT_JSON ?? "{}") as Record<string, unknown>;
const { city: cityId, cityFile: path } = context;

function chooseFile(): string {
  if (typeof path === "string") return path;
  if (typeof cityId === "string" && cityFileExists(cityId)) return cityFile(cityId);
  const known = readdirSync(fromRoot("infra/cities"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5));
  console.error(
    `Pick a city: -c city=<id>, one of: ${known.join(", ")} (files in infra/cities/), or -c cityFile=<path>.` +
      (typeof cityId === "string" ? ` No file for "${cityId}".` : ""),
  );
  process.exit(1);
}

try {
  const city = loadCityFile(chooseFile());
  buildApp({ city }).app.synth();
} catch (err) {
  if (!(err instanceof CityConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
