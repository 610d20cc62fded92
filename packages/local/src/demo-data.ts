import { creditCodeOf } from "@pencai/contracts/orgs";

/**
 * Demo data, loaded through the HTTP API with `/dev/token` tokens so every rule
 * applies exactly as for a real client: needs in three communities (two districts),
 * endorsements, nine proposals (works and service, two by organisations), one withdrawn,
 * and three carried through the lifecycle: screened, voted by a council meeting of their
 * community, passed by the street's experts (where the city asks for them), endorsed, and
 * reported to the district. p1 is approved with a first 40% disbursement (its disbursement
 * timer open), p2 only reported (its review timer open). Funded works projects are delivered
 * by the street: in the second community p4 implementing with a first payment and p7
 * completed; in the third (the second, in a city with two) p8 evaluated and passed (with
 * self-raised money received, in its spending notice) and p9 evaluated and failed. Each
 * community's chain runs beside the others. Steps that depend on an event poll the read that
 * proves it arrived. First, a social-work organisation of each of the first two communities is
 * registered and, its public notice run out on the local clock, admitted by the district: it
 * applies for that community's service proposal.
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
  thresholds?: {
    householdConsent?: { required?: boolean };
    council?: { rosterRequired?: boolean };
  };
  process?: { expertReview?: "all" | "works" | "none" };
}

export interface DemoSummary {
  communities: string[];
  needs: number;
  endorsements: number;
  proposals: { id: string; title: string; status: string }[];
}

type Principal = { sub: string; roles: string[] } & Record<string, string | string[]>;
interface Place {
  districtId: string;
  streetId: string;
  communityId: string;
}
interface Reply<T> {
  status: number;
  body: T;
  text: string;
}

/** How long a step waits for an event to arrive, and how often it looks. */
const WAIT_MS = 20_000;
const POLL_MS = 100;
/** How often a wait looks, growing from POLL_MS / 2: every look is a request the cloud serves. */
const pollDelay = (attempt: number) => Math.min(POLL_MS * 3, (POLL_MS / 2) * 1.5 ** attempt);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function loadDemoData(
  baseUrl: string,
  opts: { log?: (line: string) => void } = {},
): Promise<DemoSummary> {
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<Reply<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as T, text };
  };
  const fail = (method: string, path: string, r: Reply<unknown>) =>
    new Error(`demo data: ${method} ${path} -> ${r.status} ${r.text.slice(0, 500)}`);
  /** A request that must succeed; a lost race (409 `conflict`, nothing written) is retried. */
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const r = await request<T>(method, path, body, token);
      if (r.status >= 200 && r.status < 300) return r.body;
      const code = (r.body as { code?: string } | undefined)?.code;
      if (r.status !== 409 || code !== "conflict" || attempt >= 5) throw fail(method, path, r);
      await sleep(20 * attempt);
    }
  };
  /** Polls `probe` (50 ms, then less often) until it gives a value; fails clearly after WAIT_MS. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + WAIT_MS;
    for (let attempt = 0; ; ) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() >= deadline) {
        throw new Error(`demo data: gave up after ${WAIT_MS / 1000} s waiting for ${what}`);
      }
      await sleep(pollDelay(attempt++));
    }
  };
  const tokens = new Map<string, Promise<string>>();
  const as = (p: Principal) => {
    const key = JSON.stringify(p);
    let t = tokens.get(key);
    if (!t) {
      t = call<{ token: string }>("POST", "/dev/token", p).then((r) => r.token);
      tokens.set(key, t);
    }
    return t;
  };

  const [geo, rules] = await Promise.all([
    call<Geo>("GET", "/v1/geo"),
    call<Rules>("GET", "/v1/rules"),
  ]);
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
  const expertMode = rules.process?.expertReview ?? "all";
  const consentRequired = rules.thresholds?.householdConsent?.required === true;
  const rosterRequired = rules.thresholds?.council?.rosterRequired === true;

  // Three communities: two in the first district's first two streets, one in the second district.
  const placeOf = (d?: Geo["districts"][number], s = 0, c = 0): Place | undefined => {
    const street = d?.streets[s];
    const community = street?.communities[c];
    return d && street && community
      ? { districtId: d.id, streetId: street.id, communityId: community.id }
      : undefined;
  };
  const [d1, d2] = geo.districts;
  const picks = [
    placeOf(d1, 0, 0),
    placeOf(d1, 1, 0) ?? placeOf(d1, 0, 1),
    placeOf(d2, 0, 0) ?? placeOf(d1, 0, 2),
  ].filter((p): p is Place => !!p);
  if (picks.length < 2) throw new Error("demo data: the city needs at least two communities");
  const [place1, place2, place3] = picks as [Place, Place, Place | undefined];
  const c1 = place1.communityId;
  const c2 = place2.communityId;
  const c3 = place3?.communityId;

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
  /** the registry's id of each community's social-work organisation (admitted first) */
  const orgIds = new Map<string, string>();
  const orgIdOf = (community: string) => {
    const id = orgIds.get(community);
    if (!id) throw new Error(`demo data: no organisation admitted in ${community}`);
    return id;
  };
  const org = (community: string): Principal => ({
    sub: `demo-org-${community}`,
    roles: ["org"],
    communityId: community,
    orgId: orgIdOf(community),
  });
  const councilMember = (place: Place, n: number): Principal => ({
    sub: `demo-council-${place.communityId}-${n}`,
    roles: ["council_member"],
    ...place,
  });
  const streetRole = (place: Place, role: "street_staff" | "expert", n = 1): Principal => ({
    sub: `demo-${role === "expert" ? "expert" : "street"}-${place.streetId}-${n}`,
    roles: [role],
    districtId: place.districtId,
    streetId: place.streetId,
  });
  const districtRole = (
    place: Place,
    role: "district_civil" | "district_group" | "district_finance",
  ): Principal => ({
    sub: `demo-${role.replace("district_", "")}-${place.districtId}`,
    roles: [role],
    districtId: place.districtId,
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
      community: c2,
      title: "小区路面坑洼积水",
      description: "主干道路面破损，下雨天积水，老人推车、孩子上学都不方便。",
      category: pick("old_estate_renovation"),
    },
    {
      community: c3 ?? c2,
      title: "儿童游乐设施老旧",
      description: "游乐场滑梯开裂、地面硬化，孩子摔倒容易受伤。",
      category: pick("children_youth", "sports_facilities"),
    },
    {
      community: c3 ?? c2,
      title: "顶楼漏水",
      description: "8栋、9栋顶楼防水层老化，雨季屋内渗水发霉。",
      category: pick("old_estate_renovation"),
    },
    {
      community: c3,
      title: "消防通道被占",
      description: "晚上车辆乱停，消防通道经常被堵。",
      category: pick("parking_order", "safety"),
    },
  ];

  const year = Number(
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(
      new Date(),
    ),
  );

  // ------------------------------------------------------------ the lifecycle after screening

  /** What happens to an endorsed proposal at the district, and after (the street's delivery). */
  interface Plan {
    /** how much of the approved budget finance pays out (undefined: only reported) */
    disburseShare?: number;
    reference?: string;
    forwardReason?: string;
    approveReason?: string;
    delivery?: Delivery;
  }
  /** How far the street takes a funded project (evaluation service). */
  interface Delivery {
    milestones: { percent: number; description: string }[];
    /** progress reports, in order; each pays the milestones it reaches in full */
    progress: { percent: number; note: string }[];
    /** self-raised money received before the payments (its spending notice shows it) */
    selfRaised?: { amountFen: number; contributor: string };
    complete?: boolean;
    /** the panel's ratings, one per member in panel order (five members, five types) */
    ratings?: ("very_satisfied" | "satisfied" | "neutral" | "dissatisfied")[];
  }
  interface Agenda {
    id: string;
    kind: "works" | "service";
    budgetFen: number;
    /** each present member's ballot, in member order */
    votes: ("yes" | "no" | "abstain")[];
    urgency: number;
    replicability: number;
    reviews: { score: number; comment: string }[];
    plan: Plan;
  }
  const COUNCIL = 5;
  let meetings = 0;
  let expertReviews = 0;

  /** The council meeting of one community: all members present, every agenda item passes. */
  const councilMeeting = async (place: Place, agenda: Agenda[]) => {
    const staffToken = await as(staff(place.communityId));
    const members = Array.from({ length: COUNCIL }, (_, i) => councilMember(place, i + 1));
    if (rosterRequired) {
      // a standing council (Luohu, Ningbo): the members are a roster before any meeting; only
      // where required, so the demo city's communities stay open to any listed members
      await call(
        "PUT",
        `/v1/communities/${place.communityId}/council`,
        {
          members: members.map((m, i) => ({
            sub: m.sub,
            name: `议事会成员${i + 1}`,
            termEnds: `${new Date().getUTCFullYear() + 3}-12-31`,
          })),
        },
        staffToken,
      );
    }
    const meeting = await call<{ id: string }>(
      "POST",
      "/v1/meetings",
      {
        communityId: place.communityId,
        scheduledAt: new Date().toISOString(),
        memberIds: members.map((m) => m.sub),
        proposalIds: agenda.map((a) => a.id),
        proposalDetails: agenda.map((a) => ({
          proposalId: a.id,
          urgency: a.urgency,
          replicability: a.replicability,
          ...(consentRequired ? { affectedHouseholds: 3 } : {}),
        })),
      },
      staffToken,
    );
    meetings++;
    const path = `/v1/meetings/${meeting.id}`;
    if (consentRequired) {
      // the households of the project area agree (Panlong: two thirds needed)
      await Promise.all(
        agenda.flatMap((a) =>
          [1, 2, 3].map(async (n) =>
            call(
              "POST",
              `/v1/proposals/${a.id}/consents`,
              { agree: true },
              await as(resident(place.communityId, n)),
            ),
          ),
        ),
      );
    }
    await call("POST", `${path}/attendance`, { present: members.map((m) => m.sub) }, staffToken);
    await Promise.all(
      members.flatMap((m, i) =>
        agenda.map(async (a) =>
          call(
            "POST",
            `${path}/ballots`,
            { proposalId: a.id, choice: a.votes[i] ?? "yes" },
            await as(m),
          ),
        ),
      ),
    );
    const closed = await call<{ results: { proposalId: string; passed: boolean }[] }>(
      "POST",
      `${path}/close`,
      undefined,
      staffToken,
    );
    const failed = closed.results.filter((r) => !r.passed);
    if (failed.length) {
      throw new Error(`demo data: the council did not pass ${JSON.stringify(failed)}`);
    }
  };

  /** The street's experts review a proposal and the street decides: pass. */
  const expertReview = async (place: Place, a: Agenda) => {
    if (expertMode === "none" || (expertMode === "works" && a.kind !== "works")) return;
    await Promise.all(
      a.reviews.map(async (r, i) =>
        call(
          "POST",
          `/v1/proposals/${a.id}/expert-reviews`,
          { feasible: true, lawful: true, score: r.score, comment: r.comment },
          await as(streetRole(place, "expert", i + 1)),
        ),
      ),
    );
    expertReviews += a.reviews.length;
    await call(
      "POST",
      `/v1/proposals/${a.id}/expert-decision`,
      { decision: "pass" },
      await as(streetRole(place, "street_staff")),
    );
  };

  /** Report (once approval's inbox has the endorsement), then the district's steps. */
  const atDistrict = async (place: Place, a: Agenda): Promise<string> => {
    const street = await as(streetRole(place, "street_staff"));
    const reportPath = `/v1/proposals/${a.id}/report`;
    await until(
      `approval to learn that ${a.id} is endorsed (POST ${reportPath} answers 404)`,
      async () => {
        const r = await request(`POST`, reportPath, undefined, street);
        if (r.status === 404) return undefined;
        if (r.status !== 200) throw fail("POST", reportPath, r);
        return true;
      },
    );
    const { plan } = a;
    if (plan.disburseShare === undefined) return "reported";
    await call(
      "POST",
      `/v1/proposals/${a.id}/district-review`,
      { decision: "forward", ...(plan.forwardReason ? { reason: plan.forwardReason } : {}) },
      await as(districtRole(place, "district_civil")),
    );
    const approved = await call<{ committedFen: number }>(
      "POST",
      `/v1/proposals/${a.id}/approval`,
      { decision: "approve", ...(plan.approveReason ? { reason: plan.approveReason } : {}) },
      await as(districtRole(place, "district_group")),
    );
    // finance pays the programme's part (what approval committed), not self-raised money
    const amountFen = Math.round(approved.committedFen * plan.disburseShare);
    const paid = await call<{ status: string }>(
      "POST",
      `/v1/proposals/${a.id}/disbursements`,
      { amountFen, reference: plan.reference ?? `财拨〔${year}〕${a.id.slice(-4)}号` },
      await as(districtRole(place, "district_finance")),
    );
    return paid.status;
  };

  const panelTypes = ["deputy", "party_member", "resident_rep", "owners_committee", "expert"];
  /**
   * The street delivers a funded project: the accountable owner and plan (once evaluation's
   * inbox has the full disbursement), money received, progress with the payments it allows,
   * completion, the satisfaction panel. Returns the project's status.
   */
  const deliver = async (place: Place, a: Agenda, d: Delivery): Promise<string> => {
    const street = await as(streetRole(place, "street_staff"));
    const path = `/v1/proposals/${a.id}`;
    const plan = {
      owner: { sub: `demo-owner-${place.streetId}`, name: "张建华", phone: "0755-88886601" },
      implementer: { kind: "org", orgId: `org-${place.communityId}-builder` },
      milestones: d.milestones.map((m, i) => ({
        ...m,
        dueOn: `${year}-${String(4 + 3 * i).padStart(2, "0")}-30`,
      })),
    };
    await until(`evaluation to learn that ${a.id} is funded`, async () => {
      const r = await request<{ code?: string }>("POST", `${path}/implementation`, plan, street);
      if (r.status === 404 || (r.status === 409 && r.body?.code === "invalid_state")) {
        return undefined;
      }
      if (r.status !== 201) throw fail("POST", `${path}/implementation`, r);
      return true;
    });
    if (d.selfRaised) {
      await call(
        "POST",
        `${path}/contributions`,
        {
          source: "self_raised",
          amountFen: d.selfRaised.amountFen,
          contributor: d.selfRaised.contributor,
          reference: `自筹收据 ${a.id.slice(-4)}`,
        },
        await as(staff(place.communityId)),
      );
    }
    let paidFen = 0;
    for (const report of d.progress) {
      await call("POST", `${path}/progress`, { ...report, evidenceIds: [] }, street);
      for (const m of d.milestones.filter((m) => m.percent <= report.percent)) {
        const shareFen = Math.floor((a.budgetFen * m.percent) / 100);
        if (shareFen <= paidFen) continue;
        await call(
          "POST",
          `${path}/payments`,
          {
            milestonePercent: m.percent,
            amountFen: shareFen - paidFen,
            payee: "深圳市园岭建设工程有限公司",
            reference: `付款凭证 ${a.id.slice(-4)}-${m.percent}`,
          },
          street,
        );
        paidFen = shareFen;
      }
    }
    if (!d.complete) return "implementing";
    await call("POST", `${path}/complete`, undefined, street);
    if (!d.ratings) return "completed";
    const panel = d.ratings.map((_, i) => ({
      sub: `demo-panel-${place.communityId}-${i + 1}`,
      type: panelTypes[i % panelTypes.length],
    }));
    await call("POST", `${path}/evaluation`, { panel }, street);
    await Promise.all(
      d.ratings.map(async (rating, i) =>
        call(
          "POST",
          `${path}/evaluation/ratings`,
          { rating },
          await as({ sub: panel[i]!.sub, roles: ["evaluator"] }),
        ),
      ),
    );
    await call("POST", `${path}/evaluation/close`, undefined, street);
    return "evaluated";
  };

  /** One community's screened proposals from deliberation to the district. */
  const lifecycle = async (place: Place, agenda: Agenda[]) => {
    if (!agenda.length) return;
    const staffToken = await as(staff(place.communityId));
    // deliberation knows a proposal once its inbox consumed ProposalScreened
    await Promise.all(
      agenda.map((a) =>
        until(`deliberation to learn that ${a.id} is screened`, async () => {
          const path = `/v1/proposals/${a.id}/deliberation`;
          const r = await request("GET", path, undefined, staffToken);
          if (r.status === 404) return undefined;
          if (r.status !== 200) throw fail("GET", path, r);
          return true;
        }),
      ),
    );
    // the council votes first, then the street's experts review what it passed (as in Longgang)
    await councilMeeting(place, agenda);
    await Promise.all(
      agenda.map(async (a) => {
        await expertReview(place, a);
        const funded = await atDistrict(place, a);
        const status = a.plan.delivery ? await deliver(place, a, a.plan.delivery) : funded;
        // intake's registry follows approval's events: wait until it shows the last step
        await until(`intake's registry to show ${a.id} as ${status}`, async () => {
          const r = await request<{ status?: string }>(
            "GET",
            `/v1/proposals/${a.id}`,
            undefined,
            staffToken,
          );
          return r.body?.status === status ? true : undefined;
        });
        const p = proposals.find((x) => x.id === a.id);
        if (p) p.status = status;
      }),
    );
  };

  // ------------------------------------------------------------ collection, per community

  const needs: { id: string; community: string; index: number }[] = [];
  let endorsements = 0;
  /** The needs of one community, in parallel. */
  const raiseNeeds = async (community: string) => {
    const mine = await Promise.all(
      needSpecs
        .map((n, index) => ({ ...n, index }))
        .filter((n) => n.community === community)
        .map(async (n) => {
          const t = await as(n.index % 2 ? staff(community) : resident(community, 1));
          const need = await call<{ id: string }>(
            "POST",
            "/v1/needs",
            {
              communityId: community,
              title: n.title,
              description: n.description,
              category: n.category,
            },
            t,
          );
          return { id: need.id, community, index: n.index };
        }),
    );
    needs.push(...mine);
    return (i: number) => mine.find((n) => n.index === i)?.id as string;
  };
  /** Neighbours endorse the community's needs (each need one at a time: one counter item). */
  const endorse = (community: string) =>
    Promise.all(
      needs
        .filter((n) => n.community === community)
        .map(async (need) => {
          for (let r = 2; r <= 2 + (need.index % 3); r++) {
            await call(
              "POST",
              `/v1/needs/${need.id}/endorsements`,
              undefined,
              await as(resident(community, r)),
            );
            endorsements++;
          }
        }),
    );

  const proposals: { id: string; title: string; status: string }[] = [];
  /** Reserves the proposal's place in the summary so the order does not depend on timing. */
  const slot = (title: string) => {
    const p = { id: "", title, status: "" };
    proposals.push(p);
    return p;
  };
  const propose = async (
    s: ReturnType<typeof slot>,
    who: Principal,
    body: Record<string, unknown>,
  ) => {
    const proposal = { year, title: s.title, ...body };
    const token = await as(who);
    // an organisation's application waits for intake to hear the registry admitted it
    const p = await until("the organisation active at intake", async () => {
      const r = await request<{ id: string; status: string; code?: string }>(
        "POST",
        "/v1/proposals",
        proposal,
        token,
      );
      const retry = { 422: "org_not_active", 409: "conflict" }[r.status];
      if (retry !== undefined && r.body?.code === retry) return undefined;
      if (r.status !== 201) throw fail("POST", "/v1/proposals", r);
      return r.body;
    });
    s.id = p.id;
    s.status = p.status;
    return p.id;
  };
  const screen = async (community: string, id: string, needFit: number) => {
    await call(
      "POST",
      `/v1/proposals/${id}/screening`,
      { decision: "accept", needFit },
      await as(staff(community)),
    );
    const p = proposals.find((x) => x.id === id);
    if (p) p.status = "screened";
  };
  const slots = [
    slot("楼道照明改造"),
    slot("独居长者关爱探访"),
    slot("健身路径更新"),
    slot("垃圾站除臭改造"),
    slot("四点半课堂"),
    ...(c3 ? [slot("消防通道与停车秩序整治")] : []),
  ] as const;
  // the second community's projects the street delivers (p7 completed, p8 and p9 evaluated)
  const deliveries = [
    slot("主干道路面修缮"),
    slot("儿童游乐场改造"),
    slot("顶楼防水补漏"),
  ] as const;

  const community1 = async () => {
    const needOf = await raiseNeeds(c1);
    const p1Body = {
      communityId: c1,
      kind: "works",
      category: needSpecs[0]?.category,
      summary: "更换12个楼道的声控灯为LED感应灯。",
      beneficiaries: 860,
      budgetFen: 18_000_000,
      selfRaisedFen: 1_000_000,
      needIds: [needOf(0)],
      location: "1-12栋楼道",
    } as const;
    const p2Body = {
      communityId: c1,
      kind: "service",
      category: needSpecs[2]?.category,
      summary: "社工与志愿者每周探访独居老人，陪同就医。",
      beneficiaries: 45,
      budgetFen: 8_000_000,
      needIds: [needOf(2)],
      applicantOrgId: orgIdOf(c1),
    } as const;
    // one submission at a time: each checks the community-year budget item
    const p1 = await propose(slots[0], resident(c1, 1), p1Body);
    const p2 = await propose(slots[1], org(c1), p2Body);
    await Promise.all([screen(c1, p1, 90), screen(c1, p2, 85)]);
    // while the screened proposals travel on: the third proposal and the endorsements
    const rest = (async () => {
      await propose(slots[2], resident(c1, 3), {
        communityId: c1,
        kind: "works",
        category: needSpecs[1]?.category,
        summary: "更换广场健身器材并铺设防滑地垫。",
        beneficiaries: "全体居民",
        budgetFen: 12_000_000,
        needIds: [needOf(1)],
      });
      await endorse(c1);
    })();
    const flow = lifecycle(place1, [
      {
        id: p1,
        kind: p1Body.kind,
        budgetFen: p1Body.budgetFen,
        votes: ["yes", "yes", "yes", "yes", "yes"],
        urgency: 80,
        replicability: 70,
        reviews: [
          {
            score: 88,
            comment: "灯具选型合理，建议采用防水防尘型LED感应灯，施工避开居民休息时间。",
          },
          { score: 85, comment: "预算与市场价基本相符，需明确线路改造范围和质保期。" },
        ],
        plan: {
          disburseShare: 0.4,
          reference: `财拨〔${year}〕0412号（首期40%）`,
          forwardReason: "申报材料齐全，议事会票决和专家论证程序完整，同意报区专责小组审定。",
          approveReason: "同意立项，按施工进度分期拨付。",
        },
      },
      {
        id: p2,
        kind: p2Body.kind,
        budgetFen: p2Body.budgetFen,
        votes: ["yes", "yes", "yes", "yes", "abstain"],
        urgency: 75,
        replicability: 60,
        reviews: [
          { score: 82, comment: "服务对象明确，建议建立探访台账并定期电话回访家属。" },
          { score: 80, comment: "承接机构资质符合要求，志愿者上岗前需完成培训。" },
        ],
        plan: {},
      },
    ]);
    await Promise.all([rest, flow]);
  };

  // the delivered projects' one expert review each (the street decides on at least one)
  const reviews = [{ score: 86, comment: "方案可行，施工期间需做好围挡和安全提示。" }];
  const fundedPlan = (reference: string, delivery: Delivery): Plan => ({
    disburseShare: 1,
    reference: `财拨〔${year}〕${reference}号（一次性拨付）`,
    forwardReason: "程序合规，同意报审。",
    approveReason: "同意立项，资金一次性拨付到位。",
    delivery,
  });
  const works = (
    community: string,
    needOf: (i: number) => string,
    need: number,
    summary: string,
    beneficiaries: number,
    budgetFen: number,
  ) =>
    ({
      communityId: community,
      kind: "works",
      category: needSpecs[need]?.category,
      summary,
      beneficiaries,
      budgetFen,
      needIds: [needOf(need)],
    }) as const;

  /**
   * The two projects the street carries to the panel (p8 passes, with self-raised money in its
   * spending notice; p9 fails): filed, screened and sent through the lifecycle in `place`.
   */
  const evaluatedPair = async (place: Place, needOf: (i: number) => string) => {
    const community = place.communityId;
    const p8Body = {
      ...works(community, needOf, 6, "更换滑梯和秋千，铺设EPDM安全地垫。", 300, 6_000_000),
      selfRaisedFen: 1_000_000,
    } as const;
    const p9Body = works(community, needOf, 7, "8栋、9栋屋面重做防水层。", 96, 3_500_000);
    // one submission at a time: each checks the community-year budget item
    const p8 = await propose(deliveries[1], staff(community), p8Body);
    const p9 = await propose(deliveries[2], staff(community), p9Body);
    await Promise.all([screen(community, p8, 88), screen(community, p9, 75)]);
    return [
      {
        id: p8,
        kind: "works",
        budgetFen: p8Body.budgetFen,
        votes: ["yes", "yes", "yes", "yes", "yes"],
        urgency: 75,
        replicability: 70,
        reviews,
        plan: fundedPlan("0402", {
          milestones: [
            { percent: 30, description: "旧设施拆除" },
            { percent: 100, description: "新设施安装与安全地垫铺设" },
          ],
          selfRaised: { amountFen: 1_000_000, contributor: "游乐场周边三栋业主" },
          progress: [
            { percent: 30, note: "旧滑梯、秋千已拆除" },
            { percent: 100, note: "新设施安装完成，地垫铺设完毕" },
          ],
          complete: true,
          ratings: ["very_satisfied", "satisfied", "very_satisfied", "satisfied", "satisfied"],
        }),
      },
      {
        id: p9,
        kind: "works",
        budgetFen: p9Body.budgetFen,
        votes: ["yes", "yes", "yes", "abstain", "yes"],
        urgency: 80,
        replicability: 50,
        reviews,
        plan: fundedPlan("0403", {
          milestones: [{ percent: 100, description: "屋面防水重做与闭水试验" }],
          progress: [{ percent: 100, note: "防水层施工完成" }],
          complete: true,
          ratings: ["satisfied", "neutral", "dissatisfied", "satisfied", "neutral"],
        }),
      },
    ] satisfies Agenda[];
  };

  const community2 = async () => {
    const needOf = await raiseNeeds(c2);
    const p4Body = works(c2, needOf, 3, "加装除臭喷淋和密闭投放口。", 1200, 25_000_000);
    const p7Body = works(c2, needOf, 5, "主干道沥青罩面，疏通排水沟。", 1500, 4_000_000);
    // one submission at a time: each checks the community-year budget item
    const p4 = await propose(slots[3], staff(c2), p4Body);
    const p7 = await propose(deliveries[0], staff(c2), p7Body);
    await Promise.all([screen(c2, p4, 80), screen(c2, p7, 78)]);
    // without a third community, the evaluated pair is the second community's too
    const pair = c3 ? [] : await evaluatedPair(place2, needOf);
    const rest = (async () => {
      await propose(slots[4], org(c2), {
        communityId: c2,
        kind: "service",
        category: needSpecs[4]?.category,
        summary: "放学后托管与课业辅导，每周五天。",
        beneficiaries: 60,
        budgetFen: 6_000_000,
        needIds: [needOf(4)],
        applicantOrgId: orgIdOf(c2),
      });
      await endorse(c2);
    })();
    const flow = lifecycle(place2, [
      {
        id: p4,
        kind: p4Body.kind,
        budgetFen: p4Body.budgetFen,
        votes: ["yes", "yes", "yes", "yes", "no"],
        urgency: 85,
        replicability: 65,
        reviews: [
          { score: 90, comment: "除臭喷淋与密闭投放方案成熟，可有效解决异味和蚊蝇问题。" },
          { score: 86, comment: "需与环卫部门衔接清运时间，施工期间设置临时投放点。" },
        ],
        plan: {
          ...fundedPlan("0398", {
            milestones: [
              { percent: 30, description: "设备进场与管路预埋" },
              { percent: 70, description: "喷淋与投放口安装" },
              { percent: 100, description: "调试与验收" },
            ],
            progress: [{ percent: 45, note: "管路预埋完成，喷淋设备已进场" }],
          }),
          forwardReason: "项目符合环境整治方向，程序合规，同意报审。",
        },
      },
      {
        id: p7,
        kind: "works",
        budgetFen: p7Body.budgetFen,
        votes: ["yes", "yes", "yes", "yes", "yes"],
        urgency: 70,
        replicability: 60,
        reviews,
        plan: fundedPlan("0401", {
          milestones: [{ percent: 100, description: "路面铣刨、沥青罩面与验收" }],
          progress: [{ percent: 100, note: "罩面完成，已通过验收" }],
          complete: true,
        }),
      },
      ...pair,
    ]);
    await Promise.all([rest, flow]);
  };

  const community3 = async () => {
    if (!c3) return;
    const needOf = await raiseNeeds(c3);
    const s = slots[5] as ReturnType<typeof slot>;
    const p6 = await propose(s, resident(c3, 1), {
      communityId: c3,
      kind: "works",
      category: needSpecs[8]?.category,
      summary: "施划停车位，消防通道加装隔离桩。",
      beneficiaries: 2000,
      budgetFen: 30_000_000,
      needIds: [needOf(8)],
    });
    await call(
      "POST",
      `/v1/proposals/${p6}/withdraw`,
      { reason: "与物业协商后由物业自行整改" },
      await as(resident(c3, 1)),
    );
    s.status = "withdrawn";
    const pair = place3 ? await evaluatedPair(place3, needOf) : [];
    await Promise.all([endorse(c3), place3 ? lifecycle(place3, pair) : undefined]);
  };

  // Deliberation's, approval's and evaluation's API functions load their code on the first
  // request: reads that answer 404/200 and change nothing let that happen while intake works.
  const warm = async () => {
    const t = await as(staff(c1));
    await Promise.all([
      request("GET", `/v1/proposals/${"0".repeat(26)}/deliberation`, undefined, t),
      request("GET", `/v1/budgets/${c1}/${year}`, undefined, t),
      request("GET", `/v1/public/proposals/${"0".repeat(26)}/spending`),
    ]);
  };
  /**
   * The organisations (API.md "Organisations"): registered by community staff, their public
   * notice run out by moving the local clock past it and back, admitted by the district; the
   * applications wait until intake has heard they are active.
   */
  const admitOrgs = async () => {
    const registered = await Promise.all(
      [place1, place2].map(async (place, i) => {
        const r = await call<{ id: string; noticeEndsAt: string }>(
          "POST",
          "/v1/orgs",
          {
            name: `${place.communityId} 社工服务中心`,
            track: "registered",
            creditCode: creditCodeOf(`52440300MJ${String(i + 1).padStart(7, "0")}`),
            communityId: place.communityId,
            services: [...new Set([pick("elderly_care"), pick("children_youth")])],
          },
          await as(staff(place.communityId)),
        );
        orgIds.set(place.communityId, r.id);
        return { ...r, place };
      }),
    );
    const clock = await call<{ now: string }>("GET", "/dev/clock");
    const ends = Math.max(...registered.map((r) => Date.parse(r.noticeEndsAt)));
    const days = (ends - Date.parse(clock.now) + 60_000) / 86_400_000;
    await call("POST", "/dev/clock", { advanceDays: days });
    try {
      for (const r of registered) {
        await call(
          "POST",
          `/v1/orgs/${r.id}/review`,
          { decision: "admit" },
          await as(districtRole(r.place, "district_civil")),
        );
      }
    } finally {
      await call("POST", "/dev/clock", { advanceDays: -days });
    }
  };
  await admitOrgs();

  // the communities do not share an item: they go side by side
  await Promise.all([community1(), community2(), community3(), warm()]);

  const summary = {
    communities: picks.map((c) => c.communityId),
    needs: needs.length,
    endorsements,
    proposals,
  };
  const count = (...statuses: string[]) =>
    proposals.filter((p) => statuses.includes(p.status)).length;
  const states = [
    `${count("submitted")} submitted`,
    `${count("reported")} reported`,
    `${count("approved", "funded")} approved (${count("funded")} funded)`,
    `${count("implementing")} implementing`,
    `${count("completed")} completed`,
    `${count("evaluated")} evaluated`,
    `${count("withdrawn")} withdrawn`,
  ];
  opts.log?.(
    `demo data: ${needs.length} needs, ${endorsements} endorsements, ${proposals.length} proposals in ${summary.communities.join(", ")}: ${states.join(", ")}; ${meetings} council meetings, ${expertReviews} expert reviews`,
  );
  return summary;
}
