/**
 * Demo data, loaded through the HTTP API with `/dev/token` tokens so every rule
 * applies exactly as for a real client: needs in three communities (two districts),
 * endorsements, six proposals (works and service, one by an organisation), three
 * screened, one withdrawn.
 */

interface Geo {
  districts: {
    id: string;
    streets: { id: string; communities: { id: string; name: string }[] }[];
  }[];
}
interface Rules {
  categoryList: { mode: "negative" | "positive"; categories: string[] };
  categories: { id: string }[];
}

export interface DemoSummary {
  communities: string[];
  needs: number;
  endorsements: number;
  proposals: { id: string; title: string; status: string }[];
}

type Principal = { sub: string; roles: string[] } & Record<string, string | string[]>;

export async function loadDemoData(
  baseUrl: string,
  opts: { log?: (line: string) => void } = {},
): Promise<DemoSummary> {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok)
      throw new Error(`demo data: ${method} ${path} -> ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const tokens = new Map<string, string>();
  const as = async (p: Principal) => {
    const key = JSON.stringify(p);
    let t = tokens.get(key);
    if (!t) {
      t = (await call<{ token: string }>("POST", "/dev/token", p)).token;
      tokens.set(key, t);
    }
    return t;
  };

  const geo = await call<Geo>("GET", "/v1/geo");
  const rules = await call<Rules>("GET", "/v1/rules");
  const allowed = (id: string) =>
    rules.categories.some((c) => c.id === id) &&
    (rules.categoryList.mode === "negative"
      ? !rules.categoryList.categories.includes(id)
      : rules.categoryList.categories.includes(id));
  const pick = (...prefs: string[]) =>
    prefs.find(allowed) ??
    rules.categories.map((c) => c.id).find(allowed) ??
    (() => {
      throw new Error("demo data: the city allows no category");
    })();

  // Three communities: two in the first district's first two streets, one in the second district.
  const [d1, d2] = geo.districts;
  const picks = [
    d1?.streets[0]?.communities[0],
    d1?.streets[1]?.communities[0] ?? d1?.streets[0]?.communities[1],
    d2?.streets[0]?.communities[0] ?? d1?.streets[0]?.communities[2],
  ].filter((c): c is { id: string; name: string } => !!c);
  if (picks.length < 2) throw new Error("demo data: the city needs at least two communities");
  const [c1, c2, c3] = picks.map((c) => c.id) as [string, string, string | undefined];

  const resident = (community: string, n: number): Principal => ({
    sub: `demo-resident-${community}-${n}`,
    roles: ["resident"],
    communityId: community,
    householdId: `hh-${community}-${n}`,
  });
  const staff = (community: string): Principal => ({
    sub: `demo-staff-${community}`,
    roles: ["community_staff"],
    communityId: community,
  });
  const org = (community: string): Principal => ({
    sub: `demo-org-${community}`,
    roles: ["org"],
    communityId: community,
    orgId: `org-${community}-social-work`,
  });

  const needSpecs: {
    community: string | undefined;
    title: string;
    description: string;
    category: string;
  }[] = [
    {
      community: c1,
      title: "楼道灯经常不亮",
      description: "3栋、5栋楼道声控灯损坏多年，老人晚上上下楼容易摔倒。",
      category: pick("safety", "old_estate_renovation"),
    },
    {
      community: c1,
      title: "健身器材老化",
      description: "小区广场的健身器材生锈松动，孩子玩耍有安全隐患。",
      category: pick("sports_facilities"),
    },
    {
      community: c1,
      title: "独居老人缺少探访",
      description: "社区有四十多位独居老人，希望有人定期上门探访、陪伴就医。",
      category: pick("elderly_care"),
    },
    {
      community: c2,
      title: "垃圾站异味严重",
      description: "垃圾站紧挨住宅楼，夏天异味和蚊蝇严重，希望改造除臭。",
      category: pick("waste_stations", "environment"),
    },
    {
      community: c2,
      title: "放学后孩子无人看护",
      description: "双职工家庭多，下午四点半放学后孩子无处可去。",
      category: pick("children_youth"),
    },
    {
      community: c3,
      title: "消防通道被占",
      description: "晚上车辆乱停，消防通道经常被堵。",
      category: pick("parking_order", "safety"),
    },
  ];
  const needs: { id: string; community: string }[] = [];
  for (const [i, n] of needSpecs.entries()) {
    if (!n.community) continue;
    const t = await as(i % 2 ? staff(n.community) : resident(n.community, 1));
    const need = await call<{ id: string }>(
      "POST",
      "/v1/needs",
      {
        communityId: n.community,
        title: n.title,
        description: n.description,
        category: n.category,
      },
      t,
    );
    needs.push({ id: need.id, community: n.community });
  }

  let endorsements = 0;
  for (const [i, need] of needs.entries()) {
    for (let r = 2; r <= 2 + (i % 3); r++) {
      await call(
        "POST",
        `/v1/needs/${need.id}/endorsements`,
        undefined,
        await as(resident(need.community, r)),
      );
      endorsements++;
    }
  }

  const year = Number(
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(
      new Date(),
    ),
  );
  const needOf = (i: number) => needs[i]?.id as string;
  const proposals: { id: string; title: string; status: string }[] = [];
  const propose = async (who: Principal, body: Record<string, unknown>) => {
    const p = await call<{ id: string; status: string }>(
      "POST",
      "/v1/proposals",
      { year, ...body },
      await as(who),
    );
    proposals.push({ id: p.id, title: String(body.title), status: p.status });
    return p.id;
  };
  const screen = async (
    community: string,
    id: string,
    decision: "accept" | "reject",
    needFit: number,
  ) => {
    await call(
      "POST",
      `/v1/proposals/${id}/screening`,
      { decision, needFit, ...(decision === "reject" ? { reason: "与需求库契合度不足" } : {}) },
      await as(staff(community)),
    );
    const p = proposals.find((x) => x.id === id);
    if (p) p.status = "screened";
  };

  const p1 = await propose(resident(c1, 1), {
    communityId: c1,
    kind: "works",
    category: needSpecs[0]?.category,
    title: "楼道照明改造",
    summary: "更换12个楼道的声控灯为LED感应灯。",
    beneficiaries: 860,
    budgetFen: 18_000_000,
    selfRaisedFen: 1_000_000,
    needIds: [needOf(0)],
    location: "1-12栋楼道",
  });
  const p2 = await propose(org(c1), {
    communityId: c1,
    kind: "service",
    category: needSpecs[2]?.category,
    title: "独居长者关爱探访",
    summary: "社工与志愿者每周探访独居老人，陪同就医。",
    beneficiaries: 45,
    budgetFen: 8_000_000,
    needIds: [needOf(2)],
    applicantOrgId: `org-${c1}-social-work`,
  });
  await propose(resident(c1, 3), {
    communityId: c1,
    kind: "works",
    category: needSpecs[1]?.category,
    title: "健身路径更新",
    summary: "更换广场健身器材并铺设防滑地垫。",
    beneficiaries: "全体居民",
    budgetFen: 12_000_000,
    needIds: [needOf(1)],
  });
  const p4 = await propose(staff(c2), {
    communityId: c2,
    kind: "works",
    category: needSpecs[3]?.category,
    title: "垃圾站除臭改造",
    summary: "加装除臭喷淋和密闭投放口。",
    beneficiaries: 1200,
    budgetFen: 25_000_000,
    needIds: [needOf(3)],
  });
  await propose(org(c2), {
    communityId: c2,
    kind: "service",
    category: needSpecs[4]?.category,
    title: "四点半课堂",
    summary: "放学后托管与课业辅导，每周五天。",
    beneficiaries: 60,
    budgetFen: 6_000_000,
    needIds: [needOf(4)],
    applicantOrgId: `org-${c2}-social-work`,
  });
  await screen(c1, p1, "accept", 90);
  await screen(c1, p2, "accept", 85);
  await screen(c2, p4, "accept", 80);
  if (c3) {
    const p6 = await propose(resident(c3, 1), {
      communityId: c3,
      kind: "works",
      category: needSpecs[5]?.category,
      title: "消防通道与停车秩序整治",
      summary: "施划停车位，消防通道加装隔离桩。",
      beneficiaries: 2000,
      budgetFen: 30_000_000,
      needIds: [needOf(5)],
    });
    await call(
      "POST",
      `/v1/proposals/${p6}/withdraw`,
      { reason: "与物业协商后由物业自行整改" },
      await as(resident(c3, 1)),
    );
    const p = proposals.find((x) => x.id === p6);
    if (p) p.status = "withdrawn";
  }

  const summary = {
    communities: picks.map((c) => c.id),
    needs: needs.length,
    endorsements,
    proposals,
  };
  opts.log?.(
    `demo data: ${needs.length} needs, ${endorsements} endorsements, ${proposals.length} proposals in ${summary.communities.join(", ")}`,
  );
  return summary;
}
