/**
 * The int8, uint8 and int16 pooling kernel (`assembly/qs8_pool.ts`) against TFLite's reference pooling
 * in TypeScript on both builds: odd windows and channel counts (vector and scalar lanes), SAME
 * padding that cuts windows, rounding ties of the average, clamps.
 */
import assert from "node:assert/strict";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import {
  freshMemory,
  randomFloats,
  VARIANTS,
  type Window,
  window,
  windowLayerFields,
  WINDOWS,
} from "./kernel_harness.ts";

const random = randomFloats(5151);

/** TFLite's reference MAX_POOL_2D / AVERAGE_POOL_2D over one image. */
function referencePool(
  input: ArrayLike<number>,
  w: Window,
  average: boolean,
  low: number,
  high: number,
): number[] {
  const out: number[] = [];
  for (let oy = 0; oy < w.outH; oy++) {
    for (let ox = 0; ox < w.outW; ox++) {
      for (let channel = 0; channel < w.c; channel++) {
        let acc = average ? 0 : -Infinity;
        let count = 0;
        const y0 = oy * w.strideH - w.padTop;
        const x0 = ox * w.strideW - w.padLeft;
        for (let y = Math.max(0, y0); y < Math.min(w.inH, y0 + w.kH); y++) {
          for (let x = Math.max(0, x0); x < Math.min(w.inW, x0 + w.kW); x++) {
            const value = input[(y * w.inW + x) * w.c + channel];
            acc = average ? acc + value : Math.max(acc, value);
            count++;
          }
        }
        if (average) {
          const half = Math.floor(count / 2);
          acc = Math.trunc(acc > 0 ? (acc + half) / count : (acc - half) / count);
        }
        out.push(Math.min(high, Math.max(low, acc)) | 0);
      }
    }
  }
  return out;
}

const POOL_WINDOWS = [
  ...WINDOWS.filter((w) => w.dilationH === 1),
  window(8, 8, 32, [2, 2], 2, 1, false),
  window(7, 5, 21, [3, 3], 2, 1, true),
  window(4, 4, 40, [4, 4], 1, 1, false),
];

/** The value types `qs8_pool` takes: mode bit, range, and how its bytes are read and written. */
const TYPES = [
  { name: "int8", bit: 0, min: -128, max: 127, array: Int8Array },
  { name: "uint8", bit: 2, min: 0, max: 255, array: Uint8Array },
  { name: "int16", bit: 4, min: -32768, max: 32767, array: Int16Array },
] as const;

for (const variant of VARIANTS) {
  for (const type of TYPES) {
    for (const average of [false, true]) {
      const name = `${type.name} ${average ? "average" : "max"}`;
      Deno.test(`qs8_pool ${name} matches TFLite's reference (${variant})`, async () => {
        const memory = await freshMemory(variant);
        const { min, max } = type;
        const size = type.array.BYTES_PER_ELEMENT;
        for (const w of POOL_WINDOWS) {
          for (const [low, high] of [[min, max], [min + 20, max - 30]]) {
            const count = w.inH * w.inW * w.c;
            // Small ranges make rounding ties of the average frequent.
            const spread = count % 2 ? max - min : 6;
            const input = Array.from(
              random(count),
              (value) =>
                Math.min(max, Math.max(min, Math.round(min + (value + 1) / 2 * spread))) | 0,
            );
            input[0] = min;
            input[count - 1] = max;
            const source = memory.store(type.array.from(input));
            const outCount = w.outH * w.outW * w.c;
            const target = memory.allocate((outCount + 16) * size);
            memory.bytes(target, (outCount + 16) * size).fill(0x55);
            const layer = storeLayer(memory, { ...windowLayerFields(w), lowI: low, highI: high });
            memory.kernels.qs8_pool((average ? 1 : 0) | type.bit, source, target, layer);
            const actual = memory.view(type.name, target, outCount + 16) as ArrayLike<number>;
            assert.deepEqual(
              Array.from(actual).slice(0, outCount),
              referencePool(input, w, average, low, high),
              `${JSON.stringify(w)} clamp ${low}..${high}`,
            );
            assert.ok(
              memory.bytes(target + outCount * size, 16 * size).every((byte) => byte === 0x55),
              "wrote past the output",
            );
          }
        }
      });
    }
  }
}
