import { describe, expect, it } from "vitest";
import { type PabulibInstance, renderPabulib } from "../src/domain/pabulib.js";

/** Reads a .pb file back the way pabulib's tools do: sections, then `;` CSV with `"` quoting. */
function parse(text: string) {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ";" || c === "\n") {
      row.push(cell);
      cell = "";
      if (c === "\n") {
        rows.push(row);
        row = [];
      }
    } else cell += c;
  }
  const sections: Record<string, Record<string, string>[]> = {};
  let name = "";
  let header: string[] = [];
  for (const r of rows) {
    if (r.length === 1 && ["META", "PROJECTS", "VOTES"].includes(r[0]!)) {
      name = r[0]!;
      sections[name] = [];
      header = [];
    } else if (!header.length) header = r;
    else sections[name]!.push(Object.fromEntries(header.map((h, k) => [h, r[k]!])));
  }
  const meta = Object.fromEntries(sections.META!.map((m) => [m.key, m.value]));
  return { meta, projects: sections.PROJECTS!, votes: sections.VOTES! };
}

const instance = (over: Partial<PabulibInstance> = {}): PabulibInstance => ({
  country: "China",
  unit: "Yuyuan community",
  subunit: "Nanyuan street",
  instance: 2026,
  description: "Residents' council votes of the livelihood micro-projects",
  budgetFen: 200_000_000,
  projects: [
    { id: "p2", costFen: 12_345_678, name: 'Reading room; "Yuyuan"', selected: false },
    { id: "p1", costFen: 40_000_000, name: "Elevator ramp", category: "works", selected: true },
    { id: "p3", costFen: 5_000_000, name: "Elder meals", category: "service", selected: true },
  ],
  approvals: new Map([
    ["v9", ["p3", "p1"]],
    ["v1", ["p1"]],
    ["v5", []], // voted no or abstained on everything: no approval ballot
    ["v2", ["p1", "p3", "p1"]],
  ]),
  ...over,
});

describe("pabulib export", () => {
  it("writes META, PROJECTS and VOTES that read back to the same instance", () => {
    const pb = parse(renderPabulib(instance()));
    expect(pb.meta).toMatchObject({
      country: "China",
      unit: "Yuyuan community",
      subunit: "Nanyuan street",
      instance: "2026",
      num_projects: "3",
      num_votes: "3",
      budget: "2000000",
      vote_type: "approval",
      currency: "CNY",
    });
    expect(pb.projects).toEqual([
      {
        project_id: "p1",
        cost: "400000",
        votes: "3",
        name: "Elevator ramp",
        category: "works",
        selected: "1",
      },
      {
        project_id: "p2",
        cost: "123456.78",
        votes: "0",
        name: 'Reading room; "Yuyuan"',
        category: "",
        selected: "0",
      },
      {
        project_id: "p3",
        cost: "50000",
        votes: "2",
        name: "Elder meals",
        category: "service",
        selected: "1",
      },
    ]);
    expect(pb.votes).toEqual([
      { voter_id: "v1", vote: "p1" },
      { voter_id: "v2", vote: "p1,p3" },
      { voter_id: "v9", vote: "p1,p3" },
    ]);
  });

  it("each project's votes are its approvals in VOTES, and num_votes the lines", () => {
    const pb = parse(renderPabulib(instance()));
    for (const p of pb.projects) {
      const approvals = pb.votes.filter((v) => v.vote!.split(",").includes(p.project_id!)).length;
      expect(Number(p.votes)).toBe(approvals);
    }
    expect(Number(pb.meta.num_votes)).toBe(pb.votes.length);
  });

  it("gives the same bytes whatever the order it is given", () => {
    const a = instance();
    const b = instance({
      projects: [...a.projects].reverse(),
      approvals: new Map([...a.approvals].reverse()),
    });
    expect(renderPabulib(b)).toBe(renderPabulib(a));
  });

  it("leaves the category column out when no project has one", () => {
    const pb = parse(
      renderPabulib(
        instance({
          projects: [{ id: "p1", costFen: 100, name: "x", selected: true }],
          approvals: new Map(),
        }),
      ),
    );
    expect(Object.keys(pb.projects[0]!)).toEqual([
      "project_id",
      "cost",
      "votes",
      "name",
      "selected",
    ]);
    expect(pb.meta.num_votes).toBe("0");
  });

  it("refuses a vote for a project it does not list, and a project listed twice", () => {
    expect(() => renderPabulib(instance({ approvals: new Map([["v1", ["p4"]]]) }))).toThrow(
      /unknown project p4/,
    );
    const p = instance().projects[0]!;
    expect(() => renderPabulib(instance({ projects: [p, p] }))).toThrow(/twice/);
  });
});
