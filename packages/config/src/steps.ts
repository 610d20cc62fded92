import type { Rules } from "./schema.js";

export type Step = Rules["process"]["steps"][number];

/**
 * The programme step a proposal of this status is in (`process.steps`): the step whose statuses
 * include it. The exits (withdrawn, rejected) are in no step.
 */
export function stepOf(
  steps: readonly Step[],
  status: string,
): { id: string; name: string } | undefined {
  const step = steps.find((s) => (s.statuses as readonly string[]).includes(status));
  return step && { id: step.id, name: step.name };
}
