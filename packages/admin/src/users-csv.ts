/**
 * A city's people as a CSV file, checked against the city file: one row per Cognito user, its
 * roles as Cognito groups and its jurisdiction as `custom:` attributes, exactly the claims the
 * API's authorizer reads (`packages/runtime/src/auth.ts`). Shared by `npm run users` and the
 * local cloud's `npm start -- --users <file.csv>`.
 */
import { type City, geoIndex } from "@pencai/config";
import { cityWideRoles, isRole, type Role, roleLevels } from "@pencai/contracts/roles";
import { parse } from "csv-parse/sync";

export const COLUMNS = [
  "username",
  "name",
  "email",
  "phone",
  "roles",
  "district",
  "street",
  "community",
  "household",
  "organisation",
] as const;

/** One person, checked; `attributes` are the Cognito attributes the importer manages. */
export interface CsvUser {
  line: number;
  username: string;
  roles: Role[];
  /** name, email, phone_number and the `custom:` claims; absent ones are not set */
  attributes: Record<string, string>;
}

export interface LineError {
  line: number;
  message: string;
}

/** Every attribute the importer owns: set from the CSV, deleted when the CSV leaves it empty. */
export const MANAGED_ATTRIBUTES = [
  "name",
  "email",
  "phone_number",
  "custom:districtId",
  "custom:streetId",
  "custom:communityId",
  "custom:householdId",
  "custom:orgId",
  "custom:cityWide",
] as const;

// Cognito usernames that are never an email (the pool signs in by email as an alias) and that
// the local cloud can use as a token subject.
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[1-9]\d{6,14}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * Parse and check the whole file; either every user or every problem, each with its CSV line
 * (the header is line 1). `*` in the district column makes an admin or analyst city-wide.
 */
export function parseUsersCsv(
  text: string,
  city: City,
): { users: CsvUser[] } | { errors: LineError[] } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      comment: "#",
      comment_no_infix: true,
      info: true,
    }) as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    return { errors: [{ line: e.lines ?? 1, message: e.message }] };
  }
  const errors: LineError[] = [];
  const header = records[0] ? Object.keys(records[0].record) : [];
  const unknownCols = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknownCols.length)
    errors.push({ line: 1, message: `unknown columns ${unknownCols.join(", ")}` });
  if (records.length && !header.includes("username"))
    errors.push({ line: 1, message: "a username column is required" });
  if (errors.length) return { errors };

  const geo = geoIndex(city);
  const seen = new Map<string, number>();
  // email is a sign-in alias: one person's, like the username (case-insensitive)
  const emails = new Map<string, number>();
  const users: CsvUser[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    const fail = (message: string) => errors.push({ line, message });
    const get = (c: (typeof COLUMNS)[number]) => record[c] ?? "";
    const before = errors.length;

    const username = get("username");
    if (!USERNAME.test(username))
      fail(`username ${JSON.stringify(username)}: letters, digits and . _ - (no @), ≤ 128`);
    const first = seen.get(username.toLowerCase());
    if (first !== undefined) fail(`username ${username} is already on line ${first}`);
    seen.set(username.toLowerCase(), line);

    const email = get("email");
    const phone = get("phone").replace(/[\s-]/g, "");
    if (email && !EMAIL.test(email)) fail(`email ${JSON.stringify(email)} is not an address`);
    if (phone && !PHONE.test(phone)) fail(`phone ${JSON.stringify(phone)}: use +86… (E.164)`);
    if (!email && !phone) fail("give an email or a phone");
    const emailFirst = emails.get(email.toLowerCase());
    if (email && emailFirst !== undefined) fail(`email ${email} is already on line ${emailFirst}`);
    if (email) emails.set(email.toLowerCase(), line);

    const roleNames = get("roles")
      .split(/[\s;|]+/)
      .filter(Boolean);
    const roles: Role[] = [];
    for (const r of roleNames) {
      if (isRole(r)) roles.includes(r) || roles.push(r);
      else fail(`unknown role ${JSON.stringify(r)}`);
    }
    if (!roleNames.length) fail("give at least one role");

    const attributes: Record<string, string> = {};
    const name = get("name");
    if (name) attributes.name = name;
    if (email) attributes.email = email;
    if (phone) attributes.phone_number = phone;

    const [district, street, community] = [get("district"), get("street"), get("community")];
    if (district === "*") {
      const notCityWide = roles.filter((r) => !(cityWideRoles as readonly Role[]).includes(r));
      if (notCityWide.length)
        fail(`district * (city-wide) is only for ${cityWideRoles.join(", ")}, not ${notCityWide}`);
      if (street || community) fail("a city-wide user names no street or community");
      attributes["custom:cityWide"] = "true";
    } else {
      let scope: { districtId?: string; streetId?: string; communityId?: string } = {};
      if (community) {
        const s = geo.scopeOfCommunity(community);
        if (!s) fail(`unknown community ${JSON.stringify(community)} in ${city.id}`);
        else scope = s;
      } else if (street) {
        const s = geo.scopeOfStreet(street);
        if (!s) fail(`unknown street ${JSON.stringify(street)} in ${city.id}`);
        else scope = s;
      } else if (district) {
        if (!geo.districtById(district))
          fail(`unknown district ${JSON.stringify(district)} in ${city.id}`);
        else scope = { districtId: district };
      }
      if (street && scope.streetId && scope.streetId !== street)
        fail(`community ${community} is in street ${scope.streetId}, not ${street}`);
      if (district && scope.districtId && scope.districtId !== district)
        fail(
          `${community ? "community" : "street"} is in district ${scope.districtId}, not ${district}`,
        );
      if (scope.districtId) attributes["custom:districtId"] = scope.districtId;
      if (scope.streetId) attributes["custom:streetId"] = scope.streetId;
      if (scope.communityId) attributes["custom:communityId"] = scope.communityId;
      if (errors.length === before) {
        const claimOf = { community: "communityId", street: "streetId", district: "districtId" };
        for (const r of roles) {
          const level = roleLevels[r];
          if (level !== "self" && !scope[claimOf[level] as keyof typeof scope])
            fail(`role ${r} needs a ${level}`);
        }
      }
    }

    const household = get("household");
    const org = get("organisation");
    if (household && !ID.test(household))
      fail(`household ${JSON.stringify(household)} is not an id`);
    if (org && !ID.test(org)) fail(`organisation ${JSON.stringify(org)} is not an id`);
    if (household) attributes["custom:householdId"] = household;
    if (org) attributes["custom:orgId"] = org;
    if (roles.includes("org") && !org) fail("role org needs an organisation");

    if (errors.length === before) users.push({ line, username, roles, attributes });
  }
  if (errors.length) return { errors };
  if (!users.length) return { errors: [{ line: 1, message: "no users in the file" }] };
  return { users };
}

/** The ID-token claims Cognito issues for this user (what the local cloud signs). */
export function idTokenClaimsOf(user: CsvUser): Record<string, unknown> & { sub: string } {
  return {
    sub: user.username,
    "cognito:username": user.username,
    "cognito:groups": [...user.roles],
    ...user.attributes,
  };
}

export function formatErrors(file: string, errors: LineError[]): string {
  return errors.map((e) => `${file}:${e.line}: ${e.message}`).join("\n");
}
