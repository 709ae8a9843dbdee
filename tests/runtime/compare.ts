/** Comparing outputs with references: the 1e-4 * max(1, |reference|) rule of the float issue. */
import type { TensorData } from "../../src/format/dtype.ts";
import type { OutputValues } from "../../src/runtime/tensor_io.ts";

/** Throws naming the first element where |actual - expected| > tolerance * max(1, |expected|). */
export function assertClose(
  actual: OutputValues,
  expected: TensorData,
  what: string,
  tolerance = 1e-4,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  }
  for (let index = 0; index < expected.length; index++) {
    const want = Number(expected[index]);
    const got = Number(actual[index]);
    const allowed = tolerance * Math.max(1, Math.abs(want));
    if (!(Math.abs(got - want) <= allowed) && !(Number.isNaN(want) && Number.isNaN(got))) {
      throw new Error(`${what}: element ${index} is ${got}, expected ${want} (within ${allowed})`);
    }
  }
}
