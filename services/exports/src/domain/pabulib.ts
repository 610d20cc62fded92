import { byCodeUnits } from "@pencai/contracts/text";

/**
 * The participatory-budgeting research format of pabulib.org (`.pb`, pabulib.org/format): one
 * file per community and year, so researchers can run their tools (pabutools, pbreader) on our
 * cities. Three `;`-separated sections: META (key;value), PROJECTS, VOTES.
 *
 * Our councils vote yes / no / abstain on each proposal; as an approval ballot, a voter approves
 * the projects they voted yes on (no and abstain are not approvals). A voter who approved
 * nothing has no line (`vote` may not be empty). Voter ids are pseudonyms the caller gives
 * (HMAC with the city's secret): a file never names a person. Output is deterministic: projects
 * and voters sorted by id, approvals by project id, so the same instance gives the same bytes.
 */

export interface PabulibProject {
  id: string;
  /** what the programme pays (its share of the budget), in fen */
  costFen: number;
  name: string;
  category?: string;
  /** approved (or later): the programme funds it */
  selected: boolean;
}

export interface PabulibInstance {
  country: string;
  /** the community (its name or id) */
  unit: string;
  /** the street and district it belongs to, e.g. "Nanyuan street, Futian district" */
  subunit?: string;
  /** the programme year */
  instance: number;
  description: string;
  /** the community-year programme cap, in fen */
  budgetFen: number;
  projects: readonly PabulibProject[];
  /** pseudonymous voter id -> the project ids they voted yes on */
  approvals: ReadonlyMap<string, readonly string[]>;
}

/** A field as pabulib's readers (Python's csv module, `;`) read it back. */
function field(v: string | number): string {
  const s = String(v);
  return /[;"\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const line = (values: readonly (string | number)[]) => `${values.map(field).join(";")}\n`;

/** Fen as yuan: whole yuan without decimals, else two. */
const yuan = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));

export function renderPabulib(pb: PabulibInstance): string {
  const known = new Set(pb.projects.map((p) => p.id));
  if (known.size !== pb.projects.length) throw new Error("a project is listed twice");
  const voters = [...pb.approvals]
    .map(([voter, ids]) => {
      for (const id of ids) if (!known.has(id)) throw new Error(`vote for unknown project ${id}`);
      return [voter, [...new Set(ids)].sort(byCodeUnits)] as const;
    })
    .filter(([, ids]) => ids.length > 0)
    .sort(([a], [b]) => byCodeUnits(a, b));
  const votes = new Map<string, number>();
  for (const [, ids] of voters) for (const id of ids) votes.set(id, (votes.get(id) ?? 0) + 1);
  const projects = [...pb.projects].sort((a, b) => byCodeUnits(a.id, b.id));
  const withCategory = projects.some((p) => p.category);

  let out = "META\n";
  out += line(["key", "value"]);
  const meta: [string, string | number][] = [
    ["description", pb.description],
    ["country", pb.country],
    ["unit", pb.unit],
    ...(pb.subunit ? [["subunit", pb.subunit] as [string, string]] : []),
    ["instance", pb.instance],
    ["num_projects", projects.length],
    ["num_votes", voters.length],
    ["budget", yuan(pb.budgetFen)],
    ["vote_type", "approval"],
    ["currency", "CNY"],
    ["language", "zh"],
  ];
  for (const kv of meta) out += line(kv);
  out += "PROJECTS\n";
  out += line([
    "project_id",
    "cost",
    "votes",
    "name",
    ...(withCategory ? ["category"] : []),
    "selected",
  ]);
  for (const p of projects) {
    out += line([
      p.id,
      yuan(p.costFen),
      votes.get(p.id) ?? 0,
      p.name,
      ...(withCategory ? [p.category ?? ""] : []),
      p.selected ? 1 : 0,
    ]);
  }
  out += "VOTES\n";
  out += line(["voter_id", "vote"]);
  for (const [voter, ids] of voters) out += line([voter, ids.join(",")]);
  return out;
}
