import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { describe, expect, inject, it } from "vitest";

// The local cloud's emulators listen on 127.0.0.1 only: from any other address of this machine
// (another host on the network would use one of them) their ports are closed.

/** Whether a TCP connection to host:port opens. */
function opens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

describe("the local cloud's emulators listen on the loopback address only", () => {
  const endpoints = () => ({
    dynamodb: Number(new URL(inject("dynamodbEndpoint")).port),
    fauxqs: Number(new URL(inject("fauxqsEndpoint")).port),
  });

  it("are reachable on 127.0.0.1", async () => {
    for (const port of Object.values(endpoints()))
      expect(await opens("127.0.0.1", port)).toBe(true);
  });

  it.skipIf(!external)("are not reachable on this machine's network address", async () => {
    for (const [name, port] of Object.entries(endpoints())) {
      expect(await opens(external!, port), `${name} on ${external}:${port}`).toBe(false);
    }
  });
});
