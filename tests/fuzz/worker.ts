/**
 * The fuzz worker: says it is ready once its modules are loaded (so that loading is not counted
 * against the first case's time), then runs each case posted to it and posts back its result.
 */
import { runCase } from "./case.ts";
import type { RunPlan } from "./plan.ts";

/** A case as the driver posts it. */
export interface CaseMessage {
  index: number;
  bytes: Uint8Array;
  plan: RunPlan;
}

const scope = self as unknown as {
  onmessage: (event: MessageEvent<CaseMessage>) => void;
  postMessage: (message: unknown) => void;
};
scope.onmessage = async ({ data }) => {
  const result = await runCase(data.bytes, data.plan);
  scope.postMessage({ index: data.index, result });
};
scope.postMessage({ ready: true });
