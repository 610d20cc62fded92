import { panelTypes } from "@pencai/contracts/evaluation-events";
import { proposalLifecycle } from "@pencai/contracts/intake";
import * as z from "zod/mini";

/** Stable ascii id used in keys, claims and URLs: `futian`, `nanhu-street`. */
const idPattern = /^[a-z][a-z0-9_-]{0,39}$/;
const id = z
  .string()
  .check(z.regex(idPattern, "must be a lowercase ascii id ([a-z][a-z0-9_-]*, ≤ 40)"));
const label = z.string().check(z.trim(), z.minLength(1), z.maxLength(60));
const share = (what: string) =>
  z.number().check(z.gte(0, `${what} must be ≥ 0`), z.lte(1, `${what} must be ≤ 1`));
/** Money is integer fen; 10^11 fen (1 billion CNY) bounds every sane cap. */
const fen = z.number().check(z.int(), z.gt(0), z.lte(100_000_000_000));
const day = z.iso.date("must be a calendar day YYYY-MM-DD");

export const presetNames = ["longgang", "luohu", "panlong", "ningbo", "jinjiang"] as const;
export type PresetName = (typeof presetNames)[number];

export const named = z.strictObject({ id, name: label });

export const communitySchema = z.strictObject({
  id,
  name: label,
  /** courtyards (院落) below the community: places for proposals, households and courtyard councils */
  courtyards: z.optional(z.array(named)),
});
export const streetSchema = z.strictObject({
  id,
  name: label,
  communities: z
    .array(communitySchema)
    .check(z.minLength(1, "a street needs at least one community")),
});
export const districtSchema = z.strictObject({
  id,
  name: label,
  streets: z.array(streetSchema).check(z.minLength(1, "a district needs at least one street")),
});

// ---- programme rules (what the preset supplies and a city may override) ----

const capsShape = {
  /** works (工程/实物类) project cap */
  worksFen: fen,
  /** service (服务类) project cap */
  serviceFen: fen,
  /** per community per programme year */
  communityYearFen: fen,
};
const categoryListShape = {
  /** negative: listed categories are forbidden; positive: only listed categories are allowed */
  mode: z.enum(["negative", "positive"]),
  categories: z.array(id),
};
const councilShape = {
  /** quorum: present members / all members must be strictly greater than this */
  quorumShare: share("quorumShare"),
  /** pass: yes votes / present members must be strictly greater than this */
  passShare: share("passShare"),
  /** only members marked present may vote */
  requirePresence: z.boolean(),
  /** a community needs a standing council roster (PUT /v1/communities/{id}/council) before any meeting */
  rosterRequired: z.boolean(),
  /** consultation meetings (请你来协商: deputies and departments invited) may be held */
  consultation: z.boolean(),
};
const householdConsentShape = {
  required: z.boolean(),
  /** agreeing households / all households of the project area must be at least this */
  share: share("share"),
};
const priorityCriteriaShape = {
  /** 惠及群众广 breadth of benefit */
  breadth: share("breadth"),
  /** 居民参与度高 resident participation */
  participation: share("participation"),
  /** 自筹资金多 self-raised funds */
  selfRaised: share("selfRaised"),
  /** 老旧小区改造需求急 urgency for old estates */
  urgency: share("urgency"),
  /** 项目可复制性强 replicability */
  replicability: share("replicability"),
};
const slaShape = {
  /** district civil affairs review after the street reports (工作日) */
  reviewWorkingDays: z.number().check(z.int(), z.gte(1), z.lte(60)),
  /** finance disbursement after approval (工作日) */
  disbursementWorkingDays: z.number().check(z.int(), z.gte(1), z.lte(90)),
  /** rectification after a failed sampling-inspection finding, unless the inspector sets it (整改) */
  rectificationWorkingDays: z.number().check(z.int(), z.gte(1), z.lte(365)),
  /** Panlong's three-level ladder for needs: the response deadline of each level (工作日); absent = no ladder */
  escalation: z.optional(
    z.strictObject({
      /** level 2, the street and community help: from escalation to their response */
      level2WorkingDays: z.number().check(z.int(), z.gte(1), z.lte(60)),
      /** level 3, the district helps: from escalation to its response */
      level3WorkingDays: z.number().check(z.int(), z.gte(1), z.lte(90)),
    }),
  ),
};
/** One step of the programme's procedure and the lifecycle statuses it covers. */
const stepSchema = z.strictObject({
  id,
  name: label,
  statuses: z
    .array(z.enum(proposalLifecycle))
    .check(z.minLength(1, "a step covers at least one proposal status")),
});
const processShape = {
  /**
   * the programme's own named procedure, in order; each step names the proposal statuses under
   * way while it runs (every lifecycle status exactly once, in order), and the proposal view
   * shows the current step
   */
  steps: z.array(stepSchema).check(z.minLength(1)),
  /** who may apply for a service project: an organisation only, or anyone */
  serviceApplicant: z.enum(["org", "any"]),
  /** screening records fit against the community's needs library (契合度) */
  needFitCheck: z.boolean(),
  /** which projects go to the street's expert review (论证) */
  expertReview: z.enum(["all", "works", "none"]),
  /** a large works need may be split into packages under the cap (拆开申报、分开审议、合并实施) */
  splitPackages: z.boolean(),
  /** how many programme years one need may be phased over */
  phasingYears: z.number().check(z.int(), z.gte(1), z.lte(3)),
  /** cross-community projects may be filed with the street */
  crossCommunity: z.boolean(),
  /** sponsors (企业赞助, 乡贤) may fund part of a project */
  sponsors: z.boolean(),
  /** resident project groups choose suppliers by comparing quotes (Panlong 项目小组); absent = none */
  projectGroups: z.optional(
    z.strictObject({
      /** the fewest quotes a choice compares */
      minQuotes: z.number().check(z.int(), z.gte(1), z.lte(20)),
      /** the fewest residents in a group */
      minGroupSize: z.number().check(z.int(), z.gte(1), z.lte(50)),
    }),
  ),
};

function thresholdsShape<C, H, P>(council: C, householdConsent: H, priorityCriteria: P) {
  return {
    council,
    householdConsent,
    /** weights for ranking proposals (Panlong); absent = no ranking */
    priorityCriteria,
  };
}

/** A street's yearly performance score (Luohu 年度绩效考核): the weight of each component. */
const scoreWeightsShape = {
  /** 居民知晓率: aware / respondents of the year's awareness surveys */
  awareness: share("awareness"),
  /** 满意度: the mean satisfaction rate of the street's evaluated projects */
  satisfaction: share("satisfaction"),
  /** deadlines met / deadlines that ended (review, disbursement, rectification) */
  slaCompliance: share("slaCompliance"),
  /** 项目开展是否规范: projects whose record is complete / projects approved or later */
  proceduralCompliance: share("proceduralCompliance"),
  /** 社会组织参与率: service projects applied for by organisations / service projects */
  orgParticipation: share("orgParticipation"),
};

const evaluationShape = {
  /** the smallest satisfaction panel */
  panelMinSize: z.number().check(z.int(), z.gte(1), z.lte(200)),
  /** member types every panel must include (at least one of each) */
  panelRequiredTypes: z.array(z.enum(panelTypes)),
  /** ratings / panel members must be at least this for the evaluation to count */
  ratedShare: share("ratedShare"),
  /** (very satisfied + satisfied) / ratings must be at least this to pass */
  passRate: share("passRate"),
};

/** The organisation registry (社会组织登记/备案; Jinjiang's 公示 and 群众评审). */
const organisationsShape = {
  /** public notice (公示) of a new organisation, in working days: residents of its area object
   *  during it, the district reviews after it */
  noticeWorkingDays: z.number().check(z.int(), z.gte(1), z.lte(30)),
};

/**
 * One entry of a purchase catalogue (购买服务指导目录): a service category the city buys from
 * organisations and the programme money (fen) one project of it may ask, both ends included.
 */
const catalogueItem = z.strictObject({ category: id, minFen: fen, maxFen: fen });

export const rulesSchema = z
  .strictObject({
    caps: z.strictObject(capsShape),
    categoryList: z.strictObject(categoryListShape),
    /** every category known to the city; proposals pick one of these */
    categories: z.array(named).check(z.minLength(1)),
    thresholds: z.strictObject(
      thresholdsShape(
        z.strictObject(councilShape),
        z.strictObject(householdConsentShape),
        z.optional(z.strictObject(priorityCriteriaShape)),
      ),
    ),
    sla: z.strictObject(slaShape),
    process: z.strictObject(processShape),
    evaluation: z.strictObject(evaluationShape),
    scores: z.strictObject({ weights: z.strictObject(scoreWeightsShape) }),
    organisations: z.strictObject(organisationsShape),
    /** absent = no catalogue; present = a service proposal's category and programme money must fit it */
    purchaseCatalogue: z.optional(z.array(catalogueItem)),
  })
  .check(
    z.superRefine((rules, ctx) => {
      const known = new Set<string>();
      rules.categories.forEach((c, i) => {
        if (known.has(c.id)) {
          ctx.addIssue({
            code: "custom",
            path: ["categories", i, "id"],
            message: `duplicate category id "${c.id}"`,
            input: c.id,
          });
        }
        known.add(c.id);
      });
      rules.categoryList.categories.forEach((c, i) => {
        if (!known.has(c)) {
          ctx.addIssue({
            code: "custom",
            path: ["categoryList", "categories", i],
            message: `unknown category "${c}" (not in categories)`,
            input: c,
          });
        }
      });
      const { caps } = rules;
      for (const k of ["worksFen", "serviceFen"] as const) {
        if (caps[k] > caps.communityYearFen) {
          ctx.addIssue({
            code: "custom",
            path: ["caps", k],
            message: `must not exceed communityYearFen (${caps.communityYearFen})`,
            input: caps[k],
          });
        }
      }
      const { evaluation } = rules;
      if (new Set(evaluation.panelRequiredTypes).size > evaluation.panelMinSize) {
        ctx.addIssue({
          code: "custom",
          path: ["evaluation", "panelMinSize"],
          message: `must be at least the number of required member types (${new Set(evaluation.panelRequiredTypes).size})`,
          input: evaluation.panelMinSize,
        });
      }
      const inCatalogue = new Set<string>();
      rules.purchaseCatalogue?.forEach((item, i) => {
        if (!known.has(item.category) || inCatalogue.has(item.category)) {
          ctx.addIssue({
            code: "custom",
            path: ["purchaseCatalogue", i, "category"],
            message: `unknown or repeated category "${item.category}"`,
            input: item.category,
          });
        }
        inCatalogue.add(item.category);
        if (item.minFen > item.maxFen) {
          ctx.addIssue({
            code: "custom",
            path: ["purchaseCatalogue", i, "minFen"],
            message: `must not exceed maxFen (${item.maxFen})`,
            input: item.minFen,
          });
        }
      });
      const sw = rules.scores.weights;
      const swSum =
        sw.awareness +
        sw.satisfaction +
        sw.slaCompliance +
        sw.proceduralCompliance +
        sw.orgParticipation;
      if (Math.abs(swSum - 1) > 1e-9) {
        ctx.addIssue({
          code: "custom",
          path: ["scores", "weights"],
          message: `weights must sum to 1 (got ${swSum})`,
          input: sw,
        });
      }
      const covered = rules.process.steps.flatMap((st) => st.statuses);
      if (covered.join() !== proposalLifecycle.join()) {
        ctx.addIssue({
          code: "custom",
          path: ["process", "steps"],
          message: `the steps' statuses must cover the lifecycle exactly once, in order: ${proposalLifecycle.join(", ")} (got ${covered.join(", ")})`,
          input: covered,
        });
      }
      const w = rules.thresholds.priorityCriteria;
      if (w) {
        const sum = w.breadth + w.participation + w.selfRaised + w.urgency + w.replicability;
        if (Math.abs(sum - 1) > 1e-9) {
          ctx.addIssue({
            code: "custom",
            path: ["thresholds", "priorityCriteria"],
            message: `weights must sum to 1 (got ${sum})`,
            input: w,
          });
        }
      }
    }),
  );
export type Rules = z.output<typeof rulesSchema>;

/** What a city file may say about rules: any part, merged over its preset. */
export const rulesOverrideSchema = z.strictObject({
  caps: z.optional(z.partial(z.strictObject(capsShape))),
  categoryList: z.optional(z.partial(z.strictObject(categoryListShape))),
  categories: z.optional(z.array(named)),
  thresholds: z.optional(
    z.partial(
      z.strictObject(
        thresholdsShape(
          z.partial(z.strictObject(councilShape)),
          z.partial(z.strictObject(householdConsentShape)),
          z.partial(z.strictObject(priorityCriteriaShape)),
        ),
      ),
    ),
  ),
  sla: z.optional(z.partial(z.strictObject(slaShape))),
  process: z.optional(z.partial(z.strictObject(processShape))),
  evaluation: z.optional(z.partial(z.strictObject(evaluationShape))),
  scores: z.optional(z.strictObject({ weights: z.strictObject(scoreWeightsShape) })),
  organisations: z.optional(z.partial(z.strictObject(organisationsShape))),
  purchaseCatalogue: z.optional(z.array(catalogueItem)),
});
export type RulesOverride = z.output<typeof rulesOverrideSchema>;

// ---- the city file ----

const origin = z
  .string()
  .check(
    z.regex(
      /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i,
      "must be an origin like https://app.example.cn (no path, no *)",
    ),
  );

const calendarYear = z
  .strictObject({ holidays: z._default(z.array(day), []), workdays: z._default(z.array(day), []) })
  .check(
    z.superRefine((y, ctx) => {
      const holidays = new Set(y.holidays);
      y.workdays.forEach((d, i) => {
        if (holidays.has(d))
          ctx.addIssue({
            code: "custom",
            path: ["workdays", i],
            message: `${d} is also listed as a holiday`,
            input: d,
          });
      });
    }),
  );

const cityShape = {
  id,
  /** display name, e.g. 深圳市 */
  name: label,
  /** AWS region the stack deploys to */
  region: z
    .string()
    .check(
      z.regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/, "must be an AWS region like ap-east-1"),
    ),
  timezone: z._default(
    z.string().check(z.refine(isTimeZone, "must be an IANA time zone like Asia/Shanghai")),
    "Asia/Shanghai",
  ),
  /** production stacks keep data: deletion protection and RETAIN on tables and buckets */
  production: z._default(z.boolean(), false),
  preset: z.enum(presetNames),
  districts: z.array(districtSchema).check(z.minLength(1, "a city needs at least one district")),
  cors: z._default(z.strictObject({ allowOrigins: z._default(z.array(origin), []) }), {
    allowOrigins: [],
  }),
  api: z._default(
    z.strictObject({
      throttle: z._default(
        z.strictObject({
          /** steady requests per second for the stage */
          rateLimit: z._default(z.number().check(z.gt(0), z.lte(10_000)), 50),
          /** bucket size for bursts */
          burstLimit: z._default(z.number().check(z.int(), z.gte(1), z.lte(5_000)), 100),
        }),
        { rateLimit: 50, burstLimit: 100 },
      ),
    }),
    { throttle: { rateLimit: 50, burstLimit: 100 } },
  ),
  /** local additions to the official calendar, by year: extra holidays and make-up workdays */
  calendar: z._default(
    z.record(z.string().check(z.regex(/^\d{4}$/, "must be a year YYYY")), calendarYear),
    {},
  ),
  evidence: z._default(
    z.strictObject({
      /** object-lock (governance) retention of evidence files */
      retentionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(36_500)), 365),
    }),
    { retentionDays: 365 },
  ),
  /**
   * customerManagedKeys: one KMS key of the city's own (rotated yearly) encrypts its tables, log
   * groups, evidence bucket and event topic instead of AWS-owned or AWS-managed keys
   */
  encryption: z._default(z.strictObject({ customerManagedKeys: z._default(z.boolean(), false) }), {
    customerManagedKeys: false,
  }),
  /** synth also runs AWS Control Tower's proactive controls (districts in a Control Tower landing zone) */
  controlTower: z._default(z.boolean(), false),
  auth: z._default(
    z.strictObject({
      /** Cognito hosted UI domain prefix; none = no hosted UI domain */
      domainPrefix: z.optional(
        z
          .string()
          .check(
            z.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be a lowercase DNS label"),
          ),
      ),
      callbackUrls: z._default(z.array(z.url()), []),
      logoutUrls: z._default(z.array(z.url()), []),
    }),
    { callbackUrls: [], logoutUrls: [] },
  ),
};

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Every id in the geography (district, street, community, courtyard) is unique across the whole city. */
const uniqueGeoIds = z.superRefine(
  (city: { districts: z.output<typeof districtSchema>[] }, ctx) => {
    const seen = new Map<string, string>();
    const claim = (value: string, path: (string | number)[]) => {
      const where = pathString(path);
      const first = seen.get(value);
      if (first)
        ctx.addIssue({
          code: "custom",
          path,
          message: `duplicate id "${value}" (also ${first})`,
          input: value,
        });
      else seen.set(value, where);
    };
    city.districts.forEach((d, di) => {
      claim(d.id, ["districts", di, "id"]);
      d.streets.forEach((s, si) => {
        claim(s.id, ["districts", di, "streets", si, "id"]);
        s.communities.forEach((c, ci) => {
          claim(c.id, ["districts", di, "streets", si, "communities", ci, "id"]);
          c.courtyards?.forEach((y, yi) => {
            claim(y.id, [
              "districts",
              di,
              "streets",
              si,
              "communities",
              ci,
              "courtyards",
              yi,
              "id",
            ]);
          });
        });
      });
    });
  },
);

/** A city file as written: rules are optional overrides of the preset. */
export const cityFileSchema = z
  .strictObject({ ...cityShape, rules: z.optional(rulesOverrideSchema) })
  .check(uniqueGeoIds);
export type CityFile = z.input<typeof cityFileSchema>;

/** A resolved city: preset merged under the file, everything present. */
export const citySchema = z.strictObject({ ...cityShape, rules: rulesSchema }).check(uniqueGeoIds);
export type City = z.output<typeof citySchema>;
export type District = City["districts"][number];
export type Street = District["streets"][number];
export type Community = Street["communities"][number];

export function pathString(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
