import { Server } from "node:net";

/**
 * Runs `start` with every `listen` on all interfaces (`0.0.0.0`, `::` or no host) turned into a
 * listen on 127.0.0.1. fauxqs (1.x and 2.4) listens on 0.0.0.0 with no option to change it; the local
 * cloud's emulators must never be reachable from the network. Only listens made while `start`
 * runs are affected.
 */
export async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const original = Server.prototype.listen;
  const wildcard = (host: unknown) =>
    host === undefined || host === null || host === "0.0.0.0" || host === "::";
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [first] = args;
    if (typeof first === "object" && first !== null && !Array.isArray(first)) {
      const options = first as { host?: unknown; path?: unknown };
      if (options.path === undefined && wildcard(options.host)) {
        args[0] = { ...options, host: "127.0.0.1" };
      }
    } else if (typeof first === "number" && (args.length < 2 || typeof args[1] !== "string")) {
      args.splice(1, 0, "127.0.0.1");
    } else if (typeof first === "number" && typeof args[1] === "string" && wildcard(args[1])) {
      args[1] = "127.0.0.1";
    }
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof Server.prototype.listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = original;
  }
}
