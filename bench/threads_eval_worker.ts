/**
 * A worker of `threads_eval.ts`: loads the model it is sent on a one-thread interpreter, then for
 * each `run` message runs its share of the samples and answers with the sum of its outputs' first
 * values (so the runs cannot be optimized away).
 */
import { Interpreter } from "../mod.ts";

/** The messages this worker takes. */
type Message =
  | { kind: "load"; path: string }
  | { kind: "run"; samples: Float32Array[] };

let interpreter: Interpreter | undefined;
const scope = self as unknown as {
  onmessage: (event: MessageEvent<Message>) => void;
  postMessage: (message: unknown) => void;
};
scope.onmessage = async ({ data }) => {
  if (data.kind === "load") {
    interpreter = await Interpreter.load(data.path);
    scope.postMessage("loaded");
    return;
  }
  let sum = 0;
  for (const sample of data.samples) sum += Number(interpreter!.run([sample])[0][0]);
  scope.postMessage(sum);
};
