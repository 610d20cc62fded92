import { creditCodeOf } from "@pencai/contracts/orgs";
import { expect } from "vitest";
import { call, token } from "./http.js";

// Organisations for end-to-end tests: registered by the community's staff, the public notice run
// out on the local clock (moved past its end and back, `POST /dev/clock`), admitted by the district.

export interface Place {
  districtId: string;
  streetId: string;
  communityId: string;
}

let serial = 0;
/** A credit code no other test of this run uses (Date.now() digits, a serial, the check char). */
export const freshCreditCode = () =>
  creditCodeOf(
    `9144${String(Date.now() % 1e10).padStart(10, "0")}${String(serial++ % 1000).padStart(3, "0")}`,
  );

/** Runs `f` with the local clock moved `days` ahead, then moves it back. */
export async function withClockAhead<T>(days: number, f: () => Promise<T>): Promise<T> {
  const r = await call("POST", "/dev/clock", { body: { advanceDays: days } });
  expect(r.status).toBe(200);
  try {
    return await f();
  } finally {
    await call("POST", "/dev/clock", { body: { advanceDays: -days } });
  }
}

/** Days from the local clock's now to a minute past `at`. */
export async function daysUntilPast(at: string): Promise<number> {
  const now = (await call("GET", "/dev/clock")).body.now as string;
  return (Date.parse(at) - Date.parse(now) + 60_000) / 86_400_000;
}

/** An active registered organisation of `place` offering `services`; returns its id. */
export async function admittedOrg(place: Place, services: string[], tag: string): Promise<string> {
  const staff = await token({ sub: `org-staff-${tag}`, roles: ["community_staff"], ...place });
  const civil = await token({
    sub: `org-civil-${tag}`,
    roles: ["district_civil"],
    districtId: place.districtId,
  });
  const r = await call("POST", "/v1/orgs", {
    token: staff,
    body: {
      name: `社工服务中心 ${tag}`,
      track: "registered",
      creditCode: freshCreditCode(),
      communityId: place.communityId,
      services,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await withClockAhead(await daysUntilPast(r.body.noticeEndsAt), async () => {
    const a = await call("POST", `/v1/orgs/${r.body.id}/review`, {
      token: civil,
      body: { decision: "admit" },
    });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
  });
  return r.body.id as string;
}
