/**
 * The fuzz worker: says it is ready once its modules are loaded (so that loading is not counted
 * against the first case's time), then runs each case posted to it and posts back its result.
 */
import { type CaseLimits, runCase } from "./case.ts";

/** A case as the driver posts it. */
export interface CaseMessage {
  index: number;
  bytes: Uint8Array;
  limits: CaseLimits;
}

const scope = self as unknown as {
  onmessage: (event: MessageEvent<CaseMessage>) => void;
  postMessage: (message: unknown) => void;
};
scope.onmessage = async ({ data }) => {
  const result = await runCase(data.bytes, data.limits);
  scope.postMessage({ index: data.index, result });
};
scope.postMessage({ ready: true });
