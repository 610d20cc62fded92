/// <reference lib="dom" />
/**
 * The public board (四公开): pick a place, see its projects by stage, open one to read its
 * decision, deadlines, money, progress and satisfaction, and verify its record in the browser.
 * Hash routes (`#/`, `#/c/<communityId>`, `#/p/<proposalId>`) work in WeChat's browser and
 * from a static bucket.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Geo, ProposalSummary, PublicProposal, Spending } from "./api.js";
import {
  getCategoryNames,
  getGeo,
  getJson,
  getProposal,
  getSpending,
  listProposals,
} from "./api.js";
import { day, percent, yuan } from "./format.js";
import {
  eventName,
  type Lang,
  type MessageKey,
  roleName,
  savedLang,
  saveLang,
  translate,
} from "./i18n.js";
import { type ChainCheck, type DigestCheck, verifyChain, verifyInDigest } from "./verify.js";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;
type Route = { page: "home" } | { page: "community"; id: string } | { page: "project"; id: string };

const PLACE_KEY = "pencai.board.community";
const stages = ["collection", "decision", "implementation", "effect"] as const;

function routeOf(hash: string): Route {
  const [, page, id] = hash.replace(/^#/, "").split("/");
  if (page === "c" && id) return { page: "community", id: decodeURIComponent(id) };
  if (page === "p" && id) return { page: "project", id: decodeURIComponent(id) };
  return { page: "home" };
}

/** Loads once per key; `undefined` while loading, an Error when it failed. */
function useLoad<V>(key: string, load: () => Promise<V>): V | Error | undefined {
  const [state, setState] = useState<{ key: string; value: V | Error } | undefined>();
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setState({ key, value }),
      (e: unknown) =>
        live && setState({ key, value: e instanceof Error ? e : new Error(String(e)) }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state?.key === key ? state.value : undefined;
}

function App() {
  const [lang, setLang] = useState<Lang>(savedLang());
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  const geo = useLoad("geo", getGeo);
  const t: T = (key, vars) => translate(lang, key, vars);

  useEffect(() => {
    const onHash = () => {
      setRoute(routeOf(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = translate(lang, "title");
  }, [lang]);

  const toggle = () => {
    const next = lang === "zh" ? "en" : "zh";
    saveLang(next);
    setLang(next);
  };

  return (
    <>
      <header>
        <div class="bar">
          <a href="#/" class="home">
            {t("title")}
          </a>
          <button
            type="button"
            class="lang"
            onClick={toggle}
            aria-label={t("switchLabel")}
            lang={lang === "zh" ? "en" : "zh-CN"}
          >
            {t("switchTo")}
          </button>
        </div>
        <p class="subtitle">{t("subtitle")}</p>
      </header>
      <main>
        {geo === undefined ? (
          <p role="status">{t("loading")}</p>
        ) : geo instanceof Error ? (
          <p role="alert">{t("loadFailed")}</p>
        ) : route.page === "project" ? (
          <Project id={route.id} geo={geo} lang={lang} t={t} />
        ) : route.page === "community" ? (
          <Community id={route.id} geo={geo} lang={lang} t={t} />
        ) : (
          <Picker geo={geo} t={t} />
        )}
      </main>
      <footer>{t("footer")}</footer>
    </>
  );
}

/** District, street, community and their names, for a community id. */
function placeOf(geo: Geo, communityId: string) {
  for (const d of geo.districts)
    for (const s of d.streets)
      for (const c of s.communities) if (c.id === communityId) return { d, s, c };
  return undefined;
}

function remembered(): string | undefined {
  try {
    return localStorage.getItem(PLACE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function Picker({ geo, t }: { geo: Geo; t: T }) {
  const start = placeOf(geo, remembered() ?? "");
  const [districtId, setDistrict] = useState(start?.d.id ?? "");
  const [streetId, setStreet] = useState(start?.s.id ?? "");
  const [communityId, setCommunity] = useState(start?.c.id ?? "");
  const district = geo.districts.find((d) => d.id === districtId);
  const street = district?.streets.find((s) => s.id === streetId);

  const go = (e: Event) => {
    e.preventDefault();
    if (!communityId) return;
    try {
      localStorage.setItem(PLACE_KEY, communityId);
    } catch {
      // private mode: not remembered
    }
    location.hash = `#/c/${encodeURIComponent(communityId)}`;
  };

  return (
    <form class="picker" onSubmit={go}>
      <h1>{t("pickPlace")}</h1>
      <label>
        {t("district")}
        <select
          id="district"
          value={districtId}
          onChange={(e) => {
            setDistrict(e.currentTarget.value);
            setStreet("");
            setCommunity("");
          }}
        >
          <option value="">{t("choose")}</option>
          {geo.districts.map((d) => (
            <option value={d.id} key={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("street")}
        <select
          id="street"
          value={streetId}
          disabled={!district}
          onChange={(e) => {
            setStreet(e.currentTarget.value);
            setCommunity("");
          }}
        >
          <option value="">{t("choose")}</option>
          {district?.streets.map((s) => (
            <option value={s.id} key={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("community")}
        <select
          id="community"
          value={communityId}
          disabled={!street}
          onChange={(e) => setCommunity(e.currentTarget.value)}
        >
          <option value="">{t("choose")}</option>
          {street?.communities.map((c) => (
            <option value={c.id} key={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!communityId}>
        {t("show")}
      </button>
    </form>
  );
}

function Community({ id, geo, lang, t }: { id: string; geo: Geo; lang: Lang; t: T }) {
  const place = placeOf(geo, id);
  const list = useLoad(`c:${id}`, () => listProposals(id));
  const groups: { key: MessageKey; items: ProposalSummary[] }[] = [
    ...stages.map((s) => ({
      key: `stage_${s}` as MessageKey,
      items: Array.isArray(list)
        ? list.filter((p) => p.stage === s && p.status !== "rejected")
        : [],
    })),
    {
      key: "stage_other",
      items: Array.isArray(list) ? list.filter((p) => !p.stage || p.status === "rejected") : [],
    },
  ];
  return (
    <section>
      <p class="crumbs">
        {place ? `${place.d.name} · ${place.s.name}` : ""} · <a href="#/">{t("changePlace")}</a>
      </p>
      <h1 data-testid="community-name">{place?.c.name ?? id}</h1>
      {list === undefined ? (
        <p role="status">{t("loading")}</p>
      ) : list instanceof Error ? (
        <p role="alert">{t("loadFailed")}</p>
      ) : list.length === 0 ? (
        <p>{t("noProjects")}</p>
      ) : (
        groups
          .filter((g) => g.items.length > 0)
          .map((g) => (
            <section class="stage" key={g.key} data-testid={g.key}>
              <h2>
                {t(g.key)} <span class="count">({g.items.length})</span>
              </h2>
              <ul class="projects">
                {g.items.map((p) => (
                  <li key={p.id}>
                    <a href={`#/p/${p.id}`} data-testid="project-link" data-id={p.id}>
                      <span class="name">{p.title}</span>
                      <span class="meta">
                        {t(`status_${p.status}` as MessageKey)} · {yuan(p.budgetFen, lang)}
                      </span>
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ))
      )}
    </section>
  );
}

function Project({ id, geo, lang, t }: { id: string; geo: Geo; lang: Lang; t: T }) {
  const loaded = useLoad(`p:${id}`, async () => {
    const [proposal, spending, categories] = await Promise.all([
      getProposal(id),
      getSpending(id),
      getCategoryNames().catch(() => new Map<string, string>()),
    ]);
    return { proposal, spending, categories };
  });
  if (loaded === undefined) return <p role="status">{t("loading")}</p>;
  if (loaded instanceof Error)
    return (
      <p role="alert">
        {"status" in loaded && loaded.status === 404 ? t("notFound") : t("loadFailed")}
      </p>
    );
  const { proposal: p, spending, categories } = loaded;
  const place = placeOf(geo, p.communityId);
  return (
    <article>
      <p class="crumbs">
        {place ? `${place.d.name} · ${place.s.name} · ${place.c.name}` : p.communityId}
        <br />
        <a href={`#/c/${encodeURIComponent(p.communityId)}`}>← {t("back")}</a>
      </p>
      <h1 data-testid="project-title">{p.title}</h1>
      <Stages current={p.stage} t={t} />
      <dl class="facts">
        <dt>{t("status")}</dt>
        <dd data-testid="project-status">{t(`status_${p.status}` as MessageKey)}</dd>
        <dt>{t("budget")}</dt>
        <dd data-testid="project-budget">{yuan(p.budgetFen, lang)}</dd>
        <dt>{t("kind")}</dt>
        <dd>{t(`kind_${p.kind}` as MessageKey)}</dd>
        <dt>{t("category")}</dt>
        <dd data-testid="project-category">{categories.get(p.category) ?? p.category}</dd>
        <dt>{t("year")}</dt>
        <dd>{p.year}</dd>
        <dt>{t("beneficiaries")}</dt>
        <dd>{p.beneficiaries}</dd>
      </dl>
      <h2>{t("summary")}</h2>
      <p class="text">{p.summary}</p>
      {p.plan ? (
        <>
          <h2>{t("plan")}</h2>
          <p class="text">{p.plan}</p>
        </>
      ) : null}
      <Decision p={p} t={t} />
      <Deadlines p={p} t={t} />
      <Money p={p} spending={spending} lang={lang} t={t} />
      <Progress p={p} t={t} />
      <Effect p={p} t={t} />
      <Timeline p={p} lang={lang} t={t} />
    </article>
  );
}

function Stages({ current, t }: { current: string | undefined; t: T }) {
  const at = stages.indexOf(current as (typeof stages)[number]);
  return (
    <ol class="stages" aria-label={t("status")}>
      {stages.map((s, i) => (
        <li
          key={s}
          class={i < at ? "done" : i === at ? "now" : ""}
          aria-current={i === at ? "step" : undefined}
        >
          {t(`stage_${s}` as MessageKey)}
        </li>
      ))}
    </ol>
  );
}

function Decision({ p, t }: { p: PublicProposal; t: T }) {
  const council = p.decision?.council;
  const expert = p.decision?.expertReview;
  return (
    <section aria-labelledby="h-decision">
      <h2 id="h-decision">{t("decision")}</h2>
      {p.screening ? (
        <p>
          {t("screening")}: {p.screening.decision === "accept" ? t("accepted") : t("rejectedWord")}
        </p>
      ) : null}
      {council ? (
        <>
          <h3>{t("council")}</h3>
          <dl class="tally" data-testid="tally">
            <dt>{t("yes")}</dt>
            <dd data-testid="tally-yes">{council.yes}</dd>
            <dt>{t("no")}</dt>
            <dd data-testid="tally-no">{council.no}</dd>
            <dt>{t("abstain")}</dt>
            <dd data-testid="tally-abstain">{council.abstain}</dd>
            <dt>{t("present")}</dt>
            <dd>
              {council.present} / {council.members}
            </dd>
            <dt>{t("quorum")}</dt>
            <dd>{council.quorumMet ? "✓" : "✗"}</dd>
            {council.consent ? (
              <>
                <dt>{t("consent")}</dt>
                <dd>
                  {percent(council.consent.share)} ({council.consent.agreed}/
                  {council.consent.households})
                </dd>
              </>
            ) : null}
          </dl>
          <p class={council.passed ? "good" : "bad"}>
            {council.passed ? t("passed") : t("notPassed")}
          </p>
        </>
      ) : (
        <p>{t("noDecision")}</p>
      )}
      {expert ? (
        <>
          <h3>{t("expert")}</h3>
          <p class={expert.passed ? "good" : "bad"}>
            {expert.passed ? t("passed") : t("notPassed")} · {t("averageScore")}{" "}
            {expert.averageScore} · {t("reviews")} {expert.reviews}
          </p>
        </>
      ) : null}
      {p.rejectionReason ? (
        <p>
          {t("rejection")}: {p.rejectionReason}
        </p>
      ) : null}
    </section>
  );
}

function Deadlines({ p, t }: { p: PublicProposal; t: T }) {
  const timers = p.sla ?? [];
  return (
    <section aria-labelledby="h-deadlines">
      <h2 id="h-deadlines">{t("deadlines")}</h2>
      {timers.length === 0 ? (
        <p>{t("noDeadlines")}</p>
      ) : (
        <ul class="plain" data-testid="sla">
          {timers.map((s) => (
            <li key={`${s.kind}-${s.round}`} class={`sla ${s.state}`} data-state={s.state}>
              <strong>
                {t(`sla_${s.kind}` as MessageKey)}
                {s.round > 1 ? ` (${t("round", { n: s.round })})` : ""}:{" "}
                {t(`sla_${s.state}` as MessageKey)}
              </strong>
              <br />
              {t("due")} {day(s.dueAt)}
              {s.stoppedAt ? ` · ${t("doneAt")} ${day(s.stoppedAt)}` : ""}
              {s.provisional ? ` ${t("provisional")}` : ""}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const sources = ["programme", "self_raised", "sponsor", "street_subsidy"] as const;
const plannedFen = (p: PublicProposal, s: (typeof sources)[number]) =>
  ({
    programme: p.funding.programmeFen,
    self_raised: p.funding.selfRaisedFen,
    sponsor: p.funding.sponsorFen,
    street_subsidy: p.funding.streetSubsidyFen,
  })[s];

function Money({
  p,
  spending,
  lang,
  t,
}: {
  p: PublicProposal;
  spending: Spending | undefined;
  lang: Lang;
  t: T;
}) {
  return (
    <section aria-labelledby="h-spending">
      <h2 id="h-spending">{t("spending")}</h2>
      <table data-testid="funding">
        <thead>
          <tr>
            <th scope="col">{t("planned")}</th>
            <th scope="col">{t("amount")}</th>
            {spending ? <th scope="col">{t("received")}</th> : null}
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s}>
              <th scope="row">{t(`src_${s}` as MessageKey)}</th>
              <td>{yuan(plannedFen(p, s), lang)}</td>
              {spending ? <td data-source={s}>{yuan(spending.in.bySource[s], lang)}</td> : null}
            </tr>
          ))}
          <tr>
            <th scope="row">{t("total")}</th>
            <td>{yuan(p.budgetFen, lang)}</td>
            {spending ? <td>{yuan(spending.in.totalFen, lang)}</td> : null}
          </tr>
        </tbody>
      </table>
      {spending && spending.out.payments.length > 0 ? (
        <>
          <h3>{t("payments")}</h3>
          <ul class="plain" data-testid="payments">
            {spending.out.payments.map((pay) => (
              <li key={pay.reference}>
                {day(pay.paidAt)} · {pay.payee} · {yuan(pay.amountFen, lang)} · {t("milestone")}{" "}
                {pay.milestonePercent}%
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {spending ? (
        <p data-testid="balance">
          {t("balance")}: {yuan(spending.balanceFen, lang)}
        </p>
      ) : (
        <p>{t("noSpending")}</p>
      )}
      {spending?.procurement ? (
        <p>
          {t("supplier")}: {spending.procurement.chosen}
        </p>
      ) : null}
    </section>
  );
}

function Progress({ p, t }: { p: PublicProposal; t: T }) {
  const impl = p.implementation;
  return (
    <section aria-labelledby="h-progress">
      <h2 id="h-progress">{t("progress")}</h2>
      {impl ? (
        <>
          <p>
            <progress value={impl.percent} max={100} aria-labelledby="h-progress" />{" "}
            <strong data-testid="progress-percent">{impl.percent}%</strong>
          </p>
          {impl.implementer ? (
            <p>
              {t("implementer")}: {t(`impl_${impl.implementer.kind}` as MessageKey)}
            </p>
          ) : null}
          <h3>{t("milestones")}</h3>
          <ul class="plain">
            {impl.milestones.map((m) => (
              <li key={m.percent} class={impl.percent >= m.percent ? "good" : ""}>
                {impl.percent >= m.percent ? "✓ " : ""}
                {m.percent}% · {m.description} · {t("due")} {day(m.dueOn)}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>{t("notStarted")}</p>
      )}
    </section>
  );
}

function Effect({ p, t }: { p: PublicProposal; t: T }) {
  const e = p.effect;
  return (
    <section aria-labelledby="h-effect">
      <h2 id="h-effect">{t("effect")}</h2>
      {e ? (
        <dl class="facts">
          <dt>{t("satisfaction")}</dt>
          <dd data-testid="satisfaction">{percent(e.satisfactionRate)}</dd>
          <dt>{t("ratings")}</dt>
          <dd>
            {e.ratings} / {e.seats}
          </dd>
          <dt>{t("evaluationPassed")}</dt>
          <dd class={e.passed ? "good" : "bad"}>{e.passed ? t("passed") : t("notPassed")}</dd>
        </dl>
      ) : (
        <p>{t("noEffect")}</p>
      )}
    </section>
  );
}

type Verdict = { chain: ChainCheck; digest: DigestCheck | "error" };

function Timeline({ p, lang, t }: { p: PublicProposal; lang: Lang; t: T }) {
  const [verdict, setVerdict] = useState<Verdict | "running" | "unable" | undefined>();
  const verify = async () => {
    // WebCrypto exists only in a secure context (HTTPS, or 127.0.0.1 locally)
    if (!globalThis.crypto?.subtle) return setVerdict("unable");
    setVerdict("running");
    const chain = await verifyChain(p.timeline, { seq: p.timelineSeq, hash: p.timelineHash });
    const digest = await verifyInDigest(p.id, p.timeline, getJson).catch(() => "error" as const);
    setVerdict({ chain, digest });
  };
  return (
    <section aria-labelledby="h-timeline">
      <h2 id="h-timeline">{t("timeline")}</h2>
      <p class="note">{t("timelineNote")}</p>
      <ol class="timeline" data-testid="timeline">
        {p.timeline.map((item) => (
          <li key={item.seq}>
            <strong>{eventName(lang, item.type)}</strong>
            <br />
            {day(item.at)} · {t("by")}: {roleName(lang, item.actor.role)}
            <br />
            <code class="hash">{item.hash.slice(0, 16)}…</code>
          </li>
        ))}
      </ol>
      <button type="button" class="verify" onClick={verify} disabled={verdict === "running"}>
        {t("verify")}
      </button>
      <div aria-live="polite" data-testid="verdict">
        {verdict === "running" ? <p>{t("verifying")}</p> : null}
        {verdict === "unable" ? <p>{t("verifyUnable")}</p> : null}
        {typeof verdict === "object" ? <VerdictView v={verdict} t={t} /> : null}
      </div>
    </section>
  );
}

function VerdictView({ v, t }: { v: Verdict; t: T }) {
  const { chain, digest } = v;
  return (
    <>
      <p class={chain.ok ? "good" : "bad"} data-testid="chain-result" data-ok={String(chain.ok)}>
        {chain.ok
          ? `✓ ${t("chainOk", { n: chain.count })}`
          : `✗ ${chain.reason === "head" ? t("chainHead") : t("chainBroken", { n: chain.brokenAt })}`}
      </p>
      <p
        class={
          digest === "error"
            ? ""
            : digest.state === "failed"
              ? "bad"
              : digest.state === "proven"
                ? "good"
                : ""
        }
        data-testid="digest-result"
        data-state={digest === "error" ? "error" : digest.state}
      >
        {digest === "error"
          ? t("digestError")
          : digest.state === "proven"
            ? `✓ ${t("digestProven", { date: digest.date, root: digest.root.slice(0, 12) })}`
            : digest.state === "absent"
              ? t("digestAbsent")
              : `✗ ${t("digestFailed")}`}
      </p>
    </>
  );
}

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
}
