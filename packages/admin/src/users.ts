/** Entry point of `npm run users` (see users-cli.ts). */
import { runUsers } from "./users-cli.js";

process.exitCode = await runUsers(process.argv.slice(2));
