/**
 * Create or update a city's Cognito users from checked CSV rows. Everything is read first and a
 * plan made for every user; only then, and only without `dryRun`, does anything get written.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { isRole } from "@pencai/contracts/roles";
import { type CsvUser, type LineError, MANAGED_ATTRIBUTES } from "./users-csv.js";

/** Planned writes Cognito would refuse halfway (an email another user signs in with). */
export class ImportConflict extends Error {
  override readonly name = "ImportConflict";
  constructor(readonly errors: LineError[]) {
    super(errors.map((e) => `line ${e.line}: ${e.message}`).join("; "));
  }
}

/** The other users of the pool that already have this email (a sign-in alias). */
async function holdersOf(
  client: CognitoIdentityProviderClient,
  UserPoolId: string,
  email: string,
): Promise<string[]> {
  const out = await client.send(
    new ListUsersCommand({ UserPoolId, Filter: `email = ${JSON.stringify(email)}`, Limit: 60 }),
  );
  return (out.Users ?? []).flatMap((u) => (u.Username ? [u.Username] : []));
}

export interface UserPlan {
  username: string;
  line: number;
  outcome: "created" | "updated" | "unchanged";
  /** attributes to set (new or changed) */
  set: Record<string, string>;
  /** managed attributes present in Cognito but empty in the CSV */
  remove: string[];
  addGroups: string[];
  removeGroups: string[];
  /** true when Cognito sends no invitation (no email): the administrator sets a password */
  noInvitation?: boolean;
}

async function currentOf(
  client: CognitoIdentityProviderClient,
  UserPoolId: string,
  Username: string,
): Promise<{ attributes: Record<string, string>; groups: string[] } | undefined> {
  let attrs: AttributeType[];
  try {
    const out = await client.send(new AdminGetUserCommand({ UserPoolId, Username }));
    attrs = out.UserAttributes ?? [];
  } catch (err) {
    if (err instanceof UserNotFoundException) return undefined;
    throw err;
  }
  const groups: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new AdminListGroupsForUserCommand({ UserPoolId, Username, NextToken }),
    );
    for (const g of page.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
    NextToken = page.NextToken;
  } while (NextToken);
  const attributes: Record<string, string> = {};
  for (const a of attrs) if (a.Name && a.Value !== undefined) attributes[a.Name] = a.Value;
  return { attributes, groups };
}

/**
 * Read every user and say what would change; writes nothing. Throws `ImportConflict` when a
 * user would get an email another user of the pool already has: Cognito refuses that write
 * (AliasExistsException), and finding it first keeps the import from stopping halfway.
 */
export async function planImport(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  users: CsvUser[],
): Promise<UserPlan[]> {
  const plans: UserPlan[] = [];
  for (const u of users) {
    const now = await currentOf(client, userPoolId, u.username);
    if (!now) {
      plans.push({
        username: u.username,
        line: u.line,
        outcome: "created",
        set: { ...u.attributes },
        remove: [],
        addGroups: [...u.roles],
        removeGroups: [],
        ...(u.attributes.email ? {} : { noInvitation: true }),
      });
      continue;
    }
    const set: Record<string, string> = {};
    for (const [k, v] of Object.entries(u.attributes)) if (now.attributes[k] !== v) set[k] = v;
    const remove = MANAGED_ATTRIBUTES.filter(
      (k) => k.startsWith("custom:") && now.attributes[k] !== undefined && !(k in u.attributes),
    );
    // only groups that are roles are ours; any other group a district made is left alone
    const addGroups = u.roles.filter((r) => !now.groups.includes(r));
    const removeGroups = now.groups.filter((g) => isRole(g) && !u.roles.includes(g));
    const changed =
      Object.keys(set).length + remove.length + addGroups.length + removeGroups.length;
    plans.push({
      username: u.username,
      line: u.line,
      outcome: changed ? "updated" : "unchanged",
      set,
      remove,
      addGroups,
      removeGroups,
    });
  }
  const conflicts: LineError[] = [];
  for (const p of plans) {
    const email = p.set.email;
    if (!email) continue;
    const others = (await holdersOf(client, userPoolId, email)).filter(
      (u) => u.toLowerCase() !== p.username.toLowerCase(),
    );
    if (others.length)
      conflicts.push({ line: p.line, message: `email ${email} belongs to user ${others[0]}` });
  }
  if (conflicts.length) throw new ImportConflict(conflicts);
  return plans;
}

const verified = (set: Record<string, string>): AttributeType[] => [
  ...Object.entries(set).map(([Name, Value]) => ({ Name, Value })),
  // administrators register people by real name: their contact details are verified by them
  ...(set.email ? [{ Name: "email_verified", Value: "true" }] : []),
  ...(set.phone_number ? [{ Name: "phone_number_verified", Value: "true" }] : []),
];

/** Carry out the plans, one user after another. */
export async function applyImport(
  client: CognitoIdentityProviderClient,
  UserPoolId: string,
  plans: UserPlan[],
): Promise<void> {
  for (const p of plans) {
    const Username = p.username;
    if (p.outcome === "created") {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username,
          UserAttributes: verified(p.set),
          ...(p.noInvitation
            ? { MessageAction: "SUPPRESS" as const }
            : { DesiredDeliveryMediums: ["EMAIL" as const] }),
        }),
      );
    } else {
      if (Object.keys(p.set).length)
        await client.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId,
            Username,
            UserAttributes: verified(p.set),
          }),
        );
      if (p.remove.length)
        await client.send(
          new AdminDeleteUserAttributesCommand({
            UserPoolId,
            Username,
            UserAttributeNames: p.remove,
          }),
        );
    }
    for (const GroupName of p.addGroups)
      await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName }));
    for (const GroupName of p.removeGroups)
      await client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId, Username, GroupName }));
  }
}

export function describePlan(p: UserPlan): string {
  const parts = [
    ...Object.keys(p.set).map((k) => `set ${k}`),
    ...p.remove.map((k) => `remove ${k}`),
    ...p.addGroups.map((g) => `+group ${g}`),
    ...p.removeGroups.map((g) => `-group ${g}`),
  ];
  const note = p.noInvitation ? " (no email: no invitation sent; set a password)" : "";
  return `${p.outcome.padEnd(9)} ${p.username} (line ${p.line})${parts.length ? `: ${parts.join(", ")}` : ""}${note}`;
}
