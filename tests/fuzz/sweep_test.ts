/**
 * Two mutation families swept whole over the single-op fixtures, where the random fuzzer samples
 * them: every quantized tensor without its quantization parameters, and every constant one entry
 * longer or shorter along each axis (its buffer resized to match); and the string and
 * dynamic-shape fixtures under run plans of each kind (cycles of input values, inputs scaled past
 * `maxElements`, outputs read before invoke, runners made after it). Each case must end in a valid
 * run or a typed error, its memory settled and its answers repeated.
 */
import assert from "node:assert/strict";
import { type Model, readModel, writeModel } from "../../mod.ts";
import { elementCount, packedByteLength } from "../../src/format/dtype.ts";
import { FIXTURES, modelsIn, readBytesSync } from "../helpers.ts";
import { runCase } from "./case.ts";
import { type Fill, plainPlan, type RunPlan } from "./plan.ts";

const FOLDERS = ["ops", "ops_int8", "ops_uint8", "ops_int16x8", "ops_dynamic", "ops_graph"];

/** Runs `bytes` as a fuzz case; fails unless it ends in a valid run or a typed error. */
async function assertTyped(bytes: Uint8Array, what: string): Promise<void> {
  const result = await runCase(bytes, plainPlan(2 ** 26));
  assert.ok(
    result.outcome === "ok" || result.outcome === "typed",
    `${what}: ${result.error}\n  ${(result.frames ?? []).join("\n  ")}`,
  );
}

/** Every `.tflite` of FOLDERS with its parsed model, read afresh for each change. */
function fixtures(): [string, () => Model][] {
  return FOLDERS.flatMap((folder) =>
    modelsIn(`${FIXTURES}/${folder}`).map(([name, path]) => {
      const bytes = readBytesSync(path);
      return [`${folder}/${name}`, () => readModel(bytes)] as [string, () => Model];
    })
  );
}

Deno.test("every quantized tensor of the single-op fixtures, its parameters removed", async () => {
  let cases = 0;
  for (const [name, parse] of fixtures()) {
    const tensors = parse().subgraphs[0].tensors;
    for (const [index, tensor] of tensors.entries()) {
      if (!tensor.quantization) continue;
      const model = parse();
      model.subgraphs[0].tensors[index].quantization = null;
      await assertTyped(writeModel(model), `${name}, tensor ${index} without quantization`);
      cases++;
    }
  }
  assert.ok(cases > 300, `${cases} cases`);
});

Deno.test("every constant of the single-op fixtures, one entry longer or shorter on each axis", async () => {
  let cases = 0;
  for (const [name, parse] of fixtures()) {
    const tensors = parse().subgraphs[0].tensors;
    for (const [index, tensor] of tensors.entries()) {
      if (!tensor.data || tensor.shape.length === 0) continue;
      for (let axis = 0; axis < tensor.shape.length; axis++) {
        for (const change of [1, -1]) {
          const model = parse();
          const changed = model.subgraphs[0].tensors[index];
          changed.shape[axis] = Math.max(0, changed.shape[axis] + change);
          const bytes = packedByteLength(changed.dtype, elementCount(changed.shape)) ?? 0;
          const resized = new Uint8Array(bytes);
          resized.set(model.buffers[changed.buffer].subarray(0, bytes));
          model.buffers[changed.buffer] = resized;
          for (const each of model.subgraphs[0].tensors) each.data = null;
          const quantization = changed.quantization;
          if (quantization && quantization.scale.length > 1) {
            if (quantization.quantizedDimension === axis) {
              const count = Math.max(1, changed.shape[axis]);
              quantization.scale = new Array(count).fill(quantization.scale[0]);
              quantization.zeroPoint = new Array(count).fill(quantization.zeroPoint[0]);
            }
          }
          await assertTyped(
            writeModel(model),
            `${name}, constant ${index} [${tensor.shape}] -> [${changed.shape}]`,
          );
          cases++;
        }
      }
    }
  }
  assert.ok(cases > 500, `${cases} cases`);
});

Deno.test("the string and dynamic-shape fixtures under every kind of run plan", async () => {
  const cycles: Fill[][] = [["ones", "zeros"], ["edge", "ramp"], ["negative", "alternate", "ones"]];
  let cases = 0;
  let models = 0;
  for (const folder of ["strings", "ops_dynamic_shape"]) {
    for (const [name, path] of modelsIn(`${FIXTURES}/${folder}`)) {
      models++;
      const bytes = readBytesSync(path);
      for (const cycle of cycles) {
        for (const [inputScale, late] of [[1, false], [1, true], [1024, false], [1024, true]]) {
          const plan: RunPlan = {
            memoryBudget: 2 ** 25,
            maxElements: 2 ** 16,
            inputScale: Number(inputScale),
            fills: [...cycle, ...cycle, ...cycle],
            cycle: cycle.length,
            readBeforeInvoke: Boolean(late),
            runnersAfterInvoke: Boolean(late),
          };
          const result = await runCase(bytes, plan);
          assert.ok(
            result.outcome === "ok" || result.outcome === "typed",
            `${folder}/${name} ${JSON.stringify(plan)}: ${result.error}\n  ${
              (result.frames ?? []).join("\n  ")
            }`,
          );
          cases++;
        }
      }
    }
  }
  assert.ok(models >= 11, `${models} models`);
  assert.equal(cases, models * cycles.length * 4);
});
