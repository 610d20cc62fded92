import type { Rules } from "@pencai/config";
import { rule } from "@pencai/contracts/errors";

// Intake's side of the purchase catalogue (购买服务指导目录); the organisation registry's status
// projection is ../org-status.ts.

/**
 * 购买服务指导目录: where the city has a purchase catalogue, a service proposal's category must be
 * one it buys, and its programme money within that category's range.
 */
export function checkCatalogue(
  p: { kind: string; category: string; programmeFen: number },
  rules: Pick<Rules, "purchaseCatalogue">,
): void {
  const catalogue = rules.purchaseCatalogue;
  if (catalogue === undefined || p.kind !== "service") return;
  const item = catalogue.find((c) => c.category === p.category);
  if (!item) {
    throw rule(
      "not_in_catalogue",
      `the purchase catalogue buys no service of category ${p.category}`,
      [{ path: "category", message: "not in the purchase catalogue" }],
    );
  }
  if (p.programmeFen < item.minFen || p.programmeFen > item.maxFen) {
    throw rule(
      "outside_price_range",
      `the catalogue buys ${p.category} for ${item.minFen} to ${item.maxFen} fen of programme money; this asks ${p.programmeFen}`,
      [
        {
          path: "budgetFen",
          message: `programme money must be ${item.minFen}..${item.maxFen} fen`,
        },
      ],
    );
  }
}
