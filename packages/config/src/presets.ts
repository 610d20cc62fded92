import type { PresetName, Rules } from "./schema.js";

/**
 * Programme presets: the field reports (each quoted in packages/config/docs/) as rule sets.
 * A city file names one and overrides any part under `rules`.
 *
 * Caps and SLA days are Shenzhen's city-wide figures (works 500,000 CNY,
 * service 200,000 CNY, 2,000,000 CNY per community and year; district
 * review 5 and disbursement 15 working days). The Panlong and Ningbo reports
 * name no caps or deadlines, so their presets keep the same figures until a
 * city file says otherwise.
 */

/** Every category the seeds mention. Ids are stable; names are what residents see. */
export const categoryCatalogue = [
  // works (工程/实物类)
  { id: "old_estate_renovation", name: "老旧小区设施改造" },
  { id: "sports_facilities", name: "文体设施建设更新" },
  { id: "waste_stations", name: "垃圾站（房）维修改造" },
  { id: "public_toilets", name: "公共厕所改造" },
  { id: "roof_waterproofing", name: "楼顶防水" },
  { id: "parking_order", name: "停车秩序整治" },
  { id: "safety", name: "安全保障设施" },
  { id: "environment", name: "环境整治" },
  { id: "neighbourhood_space", name: "睦邻驿站与议事空间" },
  // services (服务类)
  { id: "elderly_care", name: "长者关爱服务" },
  { id: "children_youth", name: "儿童与青少年服务" },
  { id: "women_family", name: "妇女与家庭服务" },
  { id: "vulnerable_groups", name: "困难群体帮扶" },
  { id: "culture_sports", name: "文体活动" },
  { id: "neighbourhood_activities", name: "邻里互助活动" },
  { id: "volunteering", name: "公益志愿服务" },
  { id: "org_capacity", name: "社区社会组织培育" },
  // what micro-project money must never pay for (Longgang's negative list)
  { id: "salaries_benefits", name: "人员工资福利" },
  { id: "banquets_gifts", name: "宴请、旅游与礼品" },
  { id: "office_vehicles", name: "办公设备与公务车辆购置" },
  { id: "commercial", name: "商业营利性活动" },
  { id: "religious", name: "宗教活动" },
  { id: "already_funded", name: "已有财政资金保障的事项" },
] as const satisfies Rules["categories"];

export type CategoryId = (typeof categoryCatalogue)[number]["id"];

const negativeList: CategoryId[] = [
  "salaries_benefits",
  "banquets_gifts",
  "office_vehicles",
  "commercial",
  "religious",
  "already_funded",
];

const shenzhenCaps: Rules["caps"] = {
  worksFen: 50_000_000,
  serviceFen: 20_000_000,
  communityYearFen: 200_000_000,
};
/**
 * 5 and 15 working days are Shenzhen's rules. No report gives a rectification deadline for a
 * failed inspection; chosen: 10 working days, two working weeks.
 */
const shenzhenSla: Rules["sla"] = {
  reviewWorkingDays: 5,
  disbursementWorkingDays: 15,
  rectificationWorkingDays: 10,
};

/**
 * Luohu scores its streets on awareness (居民知晓率), satisfaction (满意度), media and resident
 * feedback, whether projects ran by the rules (项目开展是否规范) and social-organisation
 * participation (社会组织参与率), without published weights. Chosen: equal weights; media
 * feedback has no data source here, so its share is spread over the other five.
 */
const equalScoreWeights: Rules["scores"] = {
  weights: {
    awareness: 0.2,
    satisfaction: 0.2,
    slaCompliance: 0.2,
    proceduralCompliance: 0.2,
    orgParticipation: 0.2,
  },
};

/** More than half of the members present, more than half of those present voting yes. */
const majorityCouncil: Rules["thresholds"]["council"] = {
  quorumShare: 0.5,
  passShare: 0.5,
  requirePresence: true,
  // the demo city (longgang) lists the voters per meeting; no 请你来协商 in Shenzhen's reports
  rosterRequired: false,
  consultation: false,
};

/**
 * Two thirds of the households of the project area. The Panlong report's
 * 睦邻驿站 went ahead with 163 of 193 households (84.5%), which clears it;
 * two thirds is the bar China's Civil Code (art. 278) sets for owners taking
 * part in decisions on common parts, and a three-quarters bar would stall
 * old compounds where many flats are let or empty.
 */
const twoThirds = 2 / 3;

/**
 * 一菜一评 (Longgang): after completion the street convenes 两代表一委员, party members, resident
 * representatives, owners' committee members and project experts to rate satisfaction. The
 * report names the five kinds but no numbers; chosen: a panel of at least five with one of each
 * kind, at least two thirds of it must rate, and 80% satisfied or very satisfied passes.
 */
const longgangEvaluation: Rules["evaluation"] = {
  panelMinSize: 5,
  panelRequiredTypes: ["deputy", "party_member", "resident_rep", "owners_committee", "expert"],
  ratedShare: 2 / 3,
  passRate: 0.8,
};

/**
 * The organisation registry's public notice (公示). No report gives its length; chosen: 5 working
 * days, the notice period Chinese civil-affairs bureaus commonly set for an organisation's
 * founding (and the district review's own 5 working days).
 */
const fiveDayNotice: Rules["organisations"] = { noticeWorkingDays: 5 };

const longgang: Rules = {
  caps: shenzhenCaps,
  organisations: fiveDayNotice,
  categoryList: { mode: "negative", categories: negativeList },
  categories: [...categoryCatalogue],
  thresholds: {
    council: majorityCouncil,
    householdConsent: { required: false, share: twoThirds },
  },
  sla: shenzhenSla,
  evaluation: longgangEvaluation,
  scores: equalScoreWeights,
  process: {
    // a status belongs to the step under way while the proposal has it (screened: the vote is next)
    steps: [
      { id: "collect", name: "征集点菜", statuses: ["submitted"] },
      { id: "vote", name: "议事会票决", statuses: ["screened"] },
      { id: "review", name: "专家论证", statuses: ["deliberated"] },
      { id: "approve", name: "区审核审定", statuses: ["endorsed", "reported", "forwarded"] },
      { id: "fund", name: "经费下拨", statuses: ["approved"] },
      { id: "implement", name: "街道实施", statuses: ["funded", "implementing"] },
      { id: "evaluate", name: "一菜一评", statuses: ["completed", "evaluated"] },
    ],
    serviceApplicant: "org",
    needFitCheck: false,
    expertReview: "all",
    splitPackages: false,
    phasingYears: 1,
    crossCommunity: false,
    sponsors: false,
  },
};

/** Luohu 2.0: a positive list aimed at old-estate infrastructure and community organisations. */
const luohuPositive: CategoryId[] = [
  "old_estate_renovation",
  "sports_facilities",
  "waste_stations",
  "public_toilets",
  "roof_waterproofing",
  "safety",
  "environment",
  "neighbourhood_space",
  "elderly_care",
  "children_youth",
  "women_family",
  "vulnerable_groups",
  "culture_sports",
  "neighbourhood_activities",
  "volunteering",
  "org_capacity",
];

const luohu: Rules = {
  ...longgang,
  categoryList: { mode: "positive", categories: luohuPositive },
  thresholds: {
    ...longgang.thresholds,
    // 将社区居民议事会审议作为决定民生微实事项目的核心环节: a standing council decides, 1,784
    // meetings of it; its members are a roster, not names typed per meeting
    council: { ...majorityCouncil, rosterRequired: true },
  },
  process: {
    // the report says the decision procedure went from 13 steps to 6 without naming them;
    // chosen: the six below (needs are asked for all year, so a proposal starts at 申报 and
    // its fit check), then the district's review, funding, implementation and evaluation
    steps: [
      { id: "apply", name: "项目申报与两委契合度审核", statuses: ["submitted"] },
      { id: "deliberate", name: "居民议事会审议", statuses: ["screened"] },
      { id: "review", name: "街道可行性合法性审核", statuses: ["deliberated"] },
      { id: "publish", name: "结果公示", statuses: ["endorsed"] },
      { id: "approve", name: "区审核审定", statuses: ["reported", "forwarded"] },
      { id: "fund", name: "经费下拨", statuses: ["approved"] },
      { id: "implement", name: "项目实施", statuses: ["funded", "implementing"] },
      { id: "evaluate", name: "满意度测评", statuses: ["completed", "evaluated"] },
    ],
    serviceApplicant: "org",
    needFitCheck: true,
    expertReview: "works",
    splitPackages: true,
    phasingYears: 2,
    crossCommunity: true,
    sponsors: false,
  },
};

const panlong: Rules = {
  ...longgang,
  /**
   * 分级保障: level 1 residents solve it themselves (no deadline), level 2 the street and
   * community "及时协助解决", level 3 the district helps with what they cannot. The report gives
   * no days; chosen: 5 working days for level 2 (the district-review rhythm) and 15 for level 3
   * (the district's own disbursement rhythm).
   */
  sla: { ...shenzhenSla, escalation: { level2WorkingDays: 5, level3WorkingDays: 15 } },
  // 广泛评议: the residents themselves judge the result (resident representatives, at least five)
  evaluation: {
    panelMinSize: 5,
    panelRequiredTypes: ["resident_rep"],
    ratedShare: 2 / 3,
    passRate: 0.8,
  },
  categoryList: { mode: "negative", categories: negativeList },
  thresholds: {
    // no roster required: Panlong convenes a temporary group per proposal (推举居民代表形成居民临时
    // 自治小组), not a standing council; its household roster carries the consent instead
    council: majorityCouncil,
    householdConsent: { required: true, share: twoThirds },
    // in the report's order of mention; breadth of benefit first and heaviest
    priorityCriteria: {
      breadth: 0.3,
      participation: 0.2,
      selfRaised: 0.2,
      urgency: 0.2,
      replicability: 0.1,
    },
  },
  process: {
    // the report's four (个别提议, 民主商议, 集体决议, 广泛评议) with the street's 综合审定 and
    // 资金拨付 and the project group's implementation between them
    steps: [
      { id: "propose", name: "个别提议", statuses: ["submitted"] },
      { id: "discuss", name: "民主商议", statuses: ["screened"] },
      { id: "decide", name: "集体决议", statuses: ["deliberated", "endorsed"] },
      {
        id: "approve",
        name: "街道综合审定与拨付",
        statuses: ["reported", "forwarded", "approved"],
      },
      { id: "implement", name: "项目小组实施", statuses: ["funded", "implementing"] },
      { id: "evaluate", name: "广泛评议", statuses: ["completed", "evaluated"] },
    ],
    // residents and 社区能人 propose and carry projects themselves
    serviceApplicant: "any",
    needFitCheck: false,
    expertReview: "none",
    splitPackages: false,
    phasingYears: 1,
    crossCommunity: false,
    sponsors: true,
    // 小区院落居民群众成立民生小实事项目小组…自主选取供应商: the report names no numbers; chosen:
    // three quotes (the usual 三家比价 of small public purchases) and a group of at least three
    // residents (李迎新 "召集几个居民")
    projectGroups: { minQuotes: 3, minGroupSize: 3 },
  },
};

const ningbo: Rules = {
  ...longgang,
  thresholds: {
    ...longgang.thresholds,
    // 五有: 有一个议事组织 (a standing council, so a roster); 请你来协商: deputies, CPPCC members and
    // departments invited to consult on what the community cannot solve alone
    council: { ...majorityCouncil, rosterRequired: true, consultation: true },
  },
  // 评: deputies and residents rate the result (请你来协商 brings deputies in)
  evaluation: {
    panelMinSize: 5,
    panelRequiredTypes: ["deputy", "resident_rep"],
    ratedShare: 2 / 3,
    passRate: 0.8,
  },
  process: {
    // 说、议、筹、办、评: 筹 gathers the money (the district's approval and disbursement, and
    // sponsors and 乡贤 who give towards it)
    steps: [
      { id: "say", name: "说", statuses: ["submitted"] },
      { id: "deliberate", name: "议", statuses: ["screened", "deliberated", "endorsed"] },
      { id: "fund", name: "筹", statuses: ["reported", "forwarded", "approved"] },
      { id: "do", name: "办", statuses: ["funded", "implementing"] },
      { id: "evaluate", name: "评", statuses: ["completed", "evaluated"] },
    ],
    serviceApplicant: "org",
    needFitCheck: false,
    // hearings and repeated 论证 only for weighty, specialist matters
    expertReview: "works",
    splitPackages: false,
    phasingYears: 1,
    crossCommunity: false,
    sponsors: true,
  },
};

/**
 * Jinjiang (成都市锦江区, seeds/jinjiang-social-organisations.txt): the government buys services
 * from social organisations (政府向社会组织购买服务) under a 《政府向社会组织购买服务项目指导目录》,
 * covering 社会管理、社会事务、卫生教育、文化体育、就业保障. Despite its name, the report describes
 * it as the list of what is bought ("明确政府购买项目内容"), so here it binds: a service proposal's
 * category must be in it and its programme money within the category's range. The report names
 * the fields but no categories or prices; chosen: the seed categories of those fields plus two
 * of Jinjiang's own (就业保障, 卫生教育), with ranges under Shenzhen's service cap.
 */
const jinjiangCategories: Rules["categories"] = [
  ...categoryCatalogue,
  { id: "employment_support", name: "就业保障服务" },
  { id: "health_education", name: "卫生健康教育" },
];
const jinjiangCatalogue: NonNullable<Rules["purchaseCatalogue"]> = [
  // 社会事务
  { category: "elderly_care", minFen: 1_000_000, maxFen: 20_000_000 },
  { category: "children_youth", minFen: 1_000_000, maxFen: 15_000_000 },
  { category: "vulnerable_groups", minFen: 1_000_000, maxFen: 15_000_000 },
  // 文化体育
  { category: "culture_sports", minFen: 500_000, maxFen: 10_000_000 },
  // 社会管理: neighbourly self-help and the organisations' own growth (孵化)
  { category: "neighbourhood_activities", minFen: 500_000, maxFen: 5_000_000 },
  { category: "org_capacity", minFen: 1_000_000, maxFen: 10_000_000 },
  // 就业保障, 卫生教育
  { category: "employment_support", minFen: 1_000_000, maxFen: 15_000_000 },
  { category: "health_education", minFen: 500_000, maxFen: 10_000_000 },
];

const jinjiang: Rules = {
  ...luohu,
  categories: jinjiangCategories,
  // a positive list: what the catalogue buys, and the works the community still pays for
  categoryList: {
    mode: "positive",
    categories: [
      "old_estate_renovation",
      "safety",
      "environment",
      "neighbourhood_space",
      ...jinjiangCatalogue.map((c) => c.category),
    ],
  },
  purchaseCatalogue: jinjiangCatalogue,
  // 群众评审: residents judge the organisations' work, with an expert beside them
  evaluation: {
    panelMinSize: 5,
    panelRequiredTypes: ["resident_rep", "expert"],
    ratedShare: 2 / 3,
    passRate: 0.8,
  },
  process: {
    steps: [
      // needs come before any proposal, so no step of a proposal's own
      { id: "apply", name: "社会组织按目录申报", statuses: ["submitted"] },
      { id: "deliberate", name: "院落议事会评议", statuses: ["screened"] },
      { id: "review", name: "街道审核", statuses: ["deliberated", "endorsed"] },
      { id: "approve", name: "区审定购买", statuses: ["reported", "forwarded", "approved"] },
      { id: "implement", name: "社会组织实施", statuses: ["funded", "implementing"] },
      { id: "evaluate", name: "群众评审", statuses: ["completed", "evaluated"] },
    ],
    // 民管民，非管非: every service is bought from an organisation
    serviceApplicant: "org",
    needFitCheck: true,
    expertReview: "works",
    splitPackages: false,
    phasingYears: 1,
    crossCommunity: false,
    sponsors: false,
  },
};

export const presets: Readonly<Record<PresetName, Rules>> = {
  longgang,
  luohu,
  panlong,
  ningbo,
  jinjiang,
};
