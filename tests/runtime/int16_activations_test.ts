/** The tables behind liteq's int16 LOGISTIC, TANH and SOFTMAX, against TFLite's published values. */
import assert from "node:assert/strict";
import { SIGMOID_TABLE } from "../../src/runtime/ops/activations/logistic_tanh_int16.ts";
import { lookupTable16, populateTable16 } from "../../src/runtime/quantization/lookup_tables.ts";

Deno.test("SIGMOID_TABLE holds TFLite's sigmoid_table_uint16 entries", () => {
  // A sample of TFLite's table (sigmoid(i / 24) in 0.16), including raised entries.
  const published: Record<number, number> = {
    0: 32768,
    1: 33451,
    4: 35493,
    16: 43304,
    50: 58280,
    93: 64204,
    100: 64536,
    135: 65301,
    200: 65520,
    254: 65534,
    255: 65535,
  };
  for (const [index, value] of Object.entries(published)) {
    assert.equal(SIGMOID_TABLE[Number(index)], value, `entry ${index}`);
  }
  for (let index = 1; index < 256; index++) {
    assert.ok(SIGMOID_TABLE[index] >= SIGMOID_TABLE[index - 1], "monotone");
  }
});

Deno.test("populateTable16 + lookupTable16 follow exp on [-10, 0] within 8 units of 32767", () => {
  const range = 65535;
  const table = populateTable16(10 / range, 32767, 2 / range, 0, Math.exp, "float64");
  assert.equal(table.length, 513);
  assert.equal(table[512], 32767); // exp(0) = 1 saturates the [-1, 1] output range
  for (let value = -32768; value <= 32767; value += 97) {
    const x = (value - 32767) * (10 / range);
    const expected = Math.exp(x) * 32767.5;
    assert.ok(Math.abs(lookupTable16(table, value) - expected) <= 8, `at ${x}`);
  }
});

Deno.test("lookupTable16 interpolates between entries with rounding", () => {
  const table = new Int16Array(513);
  table[256] = 100;
  table[257] = 228; // slope 128 over 128 steps: one unit per step
  assert.equal(lookupTable16(table, 0), 100);
  assert.equal(lookupTable16(table, 64), 164);
  assert.equal(lookupTable16(table, 127), 227);
  table[257] = 101; // slope 1: rounds up from the midpoint
  assert.equal(lookupTable16(table, 63), 100);
  assert.equal(lookupTable16(table, 64), 101);
});
