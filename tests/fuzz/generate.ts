/**
 * Fuzz cases from the fixtures: case `index` of seed `seed` takes one fixture (one case in four
 * from the models with string or dynamic tensors, which are few among the others), draws how the
 * model is run (`plan.ts`), applies one to three structure-aware mutations to its parsed model
 * (none, one time in three, when the plan stresses invoke) and writes it (or, one case in five,
 * mutates the file's bytes), sometimes flipping bytes of the written file too. Cases are
 * independent, so any one can be made again from its seed and index.
 */
import { readModel, writeModel } from "../../mod.ts";
import { FIXTURES, modelsIn, readBytesSync } from "../helpers.ts";
import { byteMutations } from "./bytes.ts";
import { GRAPH_MUTATORS } from "./graph_mutators.ts";
import { TENSOR_MUTATORS } from "./tensor_mutators.ts";
import { Random } from "./random.ts";
import { drawPlan, type RunPlan } from "./plan.ts";

const MUTATORS = [...TENSOR_MUTATORS, ...GRAPH_MUTATORS];

/** The fixture folders the fuzzer mutates: whole models, single-op models, odd models. */
const FOLDERS = [
  "models",
  "ops",
  "ops_int8",
  "ops_int16x8",
  "ops_uint8",
  "ops_dynamic",
  "quantizer_rules",
  "robustness",
  "strings",
  "ops_dynamic_shape",
];

/** The folders of models with string tensors or tensors whose shapes are known only at invoke. */
const FOCUS_FOLDERS = ["strings", "ops_dynamic_shape"];

/** A model file to mutate. */
export interface Fixture {
  name: string;
  bytes: Uint8Array;
}

/** Every fixture of `FOLDERS` up to `maxBytes` long, in a fixed order. */
export function loadFixtures(maxBytes = 200_000): Fixture[] {
  return FOLDERS.flatMap((folder) =>
    modelsIn(`${FIXTURES}/${folder}`).map(([name, path]) => ({
      name: `${folder}/${name}`,
      bytes: readBytesSync(path),
    }))
  ).filter((fixture) => fixture.bytes.byteLength <= maxBytes);
}

/** One generated case: where it came from, what was done, and the bytes (null if unwritable). */
export interface FuzzCase {
  index: number;
  fixture: string;
  mutations: string[];
  families: string[];
  bytes: Uint8Array | null;
  /** How the model is run. */
  plan: RunPlan;
  /** Why the writer refused the mutated model (then `bytes` is null). */
  unwritable?: string;
}

/**
 * Makes case `index` of the run seeded `seed` (see the module comment), run within
 * `memoryBudget` bytes or a smaller budget its plan draws.
 */
export function makeCase(
  fixtures: Fixture[],
  seed: number,
  index: number,
  memoryBudget: number,
): FuzzCase {
  const random = Random.forCase(seed, index);
  const focus = fixtures.filter((each) => FOCUS_FOLDERS.includes(each.name.split("/")[0]));
  const fixture = random.pick(focus.length && random.chance(0.25) ? focus : fixtures);
  const made: FuzzCase = {
    index,
    fixture: fixture.name,
    mutations: [],
    families: [],
    bytes: null,
    plan: drawPlan(random, memoryBudget),
  };
  const flipBytes = (bytes: Uint8Array) => {
    const mutation = random.pick(byteMutations(bytes.byteLength, random));
    made.mutations.push(mutation.describe);
    made.families.push("bytes");
    return mutation.apply(bytes);
  };
  if (random.chance(0.2)) {
    made.bytes = flipBytes(fixture.bytes);
    return made;
  }
  const model = readModel(fixture.bytes);
  // A model run by a plan that stresses invoke is left as it is one time in three: mutated, most
  // models end before invoke.
  const stressed = made.plan.fills.length > 1 || made.plan.inputScale > 1;
  const count = stressed && random.chance(1 / 3) ? 0 : random.chance(0.7) ? 1 : 2 + random.below(2);
  for (let attempt = 0; made.mutations.length < count && attempt < 10; attempt++) {
    const mutator = random.pick(MUTATORS);
    const description = mutator.apply(model, random);
    if (description === null) continue;
    made.mutations.push(description);
    made.families.push(mutator.family);
  }
  // The buffers hold every constant's bytes: detached, the file gets the mutated buffers as they are.
  for (const subgraph of model.subgraphs) {
    for (const tensor of subgraph.tensors) tensor.data = null;
  }
  try {
    made.bytes = writeModel(model);
  } catch (error) {
    made.unwritable = `${(error as Error).name}: ${(error as Error).message}`;
    return made;
  }
  if (random.chance(0.1)) made.bytes = flipBytes(made.bytes);
  return made;
}
