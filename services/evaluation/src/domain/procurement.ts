import type { Rules } from "@pencai/config";
import { invalidState, rule } from "@pencai/contracts/errors";
import type { ProcurementBody } from "@pencai/contracts/evaluation";
import type { Principal } from "@pencai/runtime/reach";
import { requireMoneyKeeper } from "./access.js";
import { isExit, reached } from "./project.js";
import type { Procurement, Project } from "./types.js";

/**
 * Panlong's resident project groups (项目小组): residents of the courtyard choose the supplier
 * themselves (自主选取供应商) and report spending publicly. The community's or street's staff
 * record the choice, once, while the project is approved and not yet completed: the group (its
 * residents), the quotes compared, each backed by verified evidence of this proposal (the store
 * checks that in the transaction), the supplier chosen among them and, when it is not the
 * cheapest, why. The city's rule (`process.projectGroups`) sets how many quotes and residents.
 */
export function recordProcurement(
  p: Project,
  principal: Principal,
  body: ProcurementBody,
  rules: Rules,
  now: Date,
): Procurement {
  requireMoneyKeeper(principal, p);
  const groups = rules.process.projectGroups;
  if (!groups) {
    throw rule("procurement_not_available", "this city's programme has no resident project groups");
  }
  if (isExit(p.status) || !reached(p, "approved") || reached(p, "completed")) {
    throw invalidState(`a ${p.status} project does not choose a supplier`);
  }
  if (body.quotes.length < groups.minQuotes) {
    throw invalid("quotes", `compare at least ${groups.minQuotes} quotes`);
  }
  if (body.group.length < groups.minGroupSize) {
    throw invalid("group", `a project group has at least ${groups.minGroupSize} residents`);
  }
  const chosen = body.quotes.find((q) => q.supplier === body.chosen);
  if (!chosen) throw invalid("chosen", "must be the supplier of one of the quotes");
  const cheapest = body.quotes.every((q) => q.amountFen >= chosen.amountFen);
  if (!cheapest && body.reason === undefined) {
    throw invalid("reason", "say why the chosen quote is not the cheapest");
  }
  return {
    proposalId: p.id,
    group: body.group,
    quotes: body.quotes,
    chosen: body.chosen,
    cheapest,
    ...(body.reason !== undefined && { reason: body.reason }),
    recordedAt: now.toISOString(),
    sub: principal.sub,
  };
}

const invalid = (path: string, message: string) =>
  rule("procurement_invalid", `${path}: ${message}`, [{ path: `body.${path}`, message }]);
