/**
 * The int16x8 layer kernels against TFLite's reference arithmetic in TypeScript, on both builds:
 * `qs8_gemm_sums_4x8` (int16 rows times int16-packed int8 weights, exact int32 sums plus the bias)
 * and `qs16_requantize_sums` (the 15-bit reduced multiplier on 64-bit sums, or the full one
 * rounded once as FULLY_CONNECTED's), `qs16_depthwise_sums` and `qs16_binary` (int16 ADD, SUB,
 * MUL), with the extreme activations, odd shapes and clamps.
 */
import assert from "node:assert/strict";
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplier64,
  multiplyByQuantizedMultiplierSingleRounding,
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
} from "../../src/runtime/quantization/fixed_point.ts";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import {
  freshMemory,
  randomFloats,
  VARIANTS,
  windowLayerFields,
  WINDOWS,
} from "./kernel_harness.ts";

const random = randomFloats(1616);

for (const variant of VARIANTS) {
  Deno.test(`qs8_gemm_sums_4x8 and qs16_requantize_sums match TFLite's int16x8 arithmetic (${variant})`, async () => {
    for (const [m, n, k] of [[1, 3, 5], [7, 17, 27], [13, 8, 64]]) {
      const memory = await freshMemory(variant);
      const depth = Math.ceil(k / 8) * 8;
      const a = new Int16Array(m * depth);
      for (let row = 0; row < m; row++) {
        for (let d = 0; d < k; d++) a[row * depth + d] = Math.round(random(1)[0] * 32767);
      }
      a[0] = -32768;
      a[1] = 32767;
      const weights = Int8Array.from(random(n * k), (value) => Math.round(value * 127));
      weights[0] = -128;
      const padded = Math.ceil(n / 8) * 8;
      const bias = Int32Array.from(
        { length: padded },
        (_, c) => c < n ? Math.round(random(1)[0] * 1e6) : 0,
      );
      const packed = memory.allocate(padded * depth * 2);
      memory.kernels.qs8_pack_weights(memory.store(weights), n, k, depth, packed);
      const layer = storeLayer(memory, { n, depth, lda: depth, ldc: n, bias: memory.store(bias) });
      const sums = memory.allocate(m * n * 4);
      memory.kernels.qs8_gemm_sums_4x8(memory.store(a), packed, sums, m, layer);
      const pairs = Array.from(
        { length: n },
        (_, c) => quantizeMultiplier([0.3, 1.7e-4, 0.99, 2.5][c % 4]),
      );
      const actualSums = memory.i32(sums, m * n);
      for (let row = 0; row < m; row++) {
        for (let c = 0; c < n; c++) {
          let acc = bias[c];
          for (let d = 0; d < k; d++) acc += a[row * depth + d] * weights[c * k + d];
          assert.equal(actualSums[row * n + c], acc, `sum m=${m} n=${n} k=${k} (${row}, ${c})`);
        }
      }
      // Convolutions: the 15-bit reduced multiplier; FULLY_CONNECTED: the full one, rounded once.
      for (const singleRounding of [false, true]) {
        const reduced = Int32Array.from(
          pairs,
          ([multiplier]) =>
            singleRounding
              ? multiplier
              : multiplier < 0x7fff0000
              ? Math.floor((multiplier + 2 ** 15) / 2 ** 16)
              : 0x7fff,
        );
        const totals = Int32Array.from(pairs, ([, shift]) => (singleRounding ? 31 : 15) - shift);
        const rescale = singleRounding
          ? multiplyByQuantizedMultiplierSingleRounding
          : multiplyByQuantizedMultiplier64;
        const [low, high] = [-32768, 30000];
        const output = memory.allocate(m * n * 2);
        memory.kernels.qs16_requantize_sums(
          sums,
          m,
          n,
          memory.store(reduced),
          memory.store(totals),
          low,
          high,
          output,
        );
        const actual = new Int16Array(memory.kernels.memory.buffer, output, m * n);
        for (let index = 0; index < m * n; index++) {
          const [multiplier, shift] = pairs[index % n];
          const expected = Math.min(
            high,
            Math.max(low, rescale(actualSums[index], multiplier, shift)),
          );
          assert.equal(actual[index], expected, `output m=${m} n=${n} k=${k} at ${index}`);
        }
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs16_binary matches TFLite's int16 ADD, SUB and MUL (${variant})`, async () => {
    const memory = await freshMemory(variant);
    const n = 23;
    const x = Int16Array.from(random(n), (value) => Math.round(value * 32767));
    const y = Int16Array.from(random(n), (value) => Math.round(value * 32767));
    x[0] = -32768;
    y[1] = -32768;
    const [scaleA, scaleB, scaleOut] = [3e-4, 5e-4, 7e-4];
    const twiceMax = 2 * Math.max(scaleA, scaleB);
    const pairs = [
      quantizeMultiplier(scaleA / twiceMax),
      quantizeMultiplier(scaleB / twiceMax),
      quantizeMultiplier(twiceMax / (2 ** 15 * scaleOut)),
      quantizeMultiplier(Math.fround(Math.fround(scaleA * scaleB) / scaleOut)),
    ];
    const params = pairs.map(([multiplier, shift]) => {
      const block = memory.allocate(7 * 16);
      memory.kernels.qs8_channel_params(
        memory.store(new Int32Array(4).fill(multiplier)),
        memory.store(new Int32Array(4).fill(shift)),
        4,
        block,
        0,
      );
      return block;
    });
    const [low, high] = [-30000, 32767];
    for (const op of [0, 1, 2]) {
      for (const bStep of [1, 0]) {
        const layer = storeLayer(memory, {
          zeroA: 0,
          zeroB: 0,
          zeroPoint: 0,
          lowI: low,
          highI: high,
          paramsA: params[0],
          paramsB: params[1],
          params: op === 2 ? params[3] : params[2],
        });
        const output = memory.allocate(n * 2);
        memory.kernels.qs16_binary(
          op,
          memory.store(x),
          1,
          memory.store(y),
          bStep,
          output,
          n,
          layer,
        );
        const actual = Array.from(new Int16Array(memory.kernels.memory.buffer, output, n));
        const expected = Array.from(x, (value, index) => {
          const other = y[bStep ? index : 0];
          let result: number;
          if (op === 2) {
            const [multiplier, shift] = pairs[3];
            result = multiplyByQuantizedMultiplier(value * other, multiplier, shift);
          } else {
            const scaledA = multiplyByQuantizedMultiplierSmallerThanOne(
              value * 2 ** 15,
              ...pairs[0],
            );
            const scaledB = multiplyByQuantizedMultiplierSmallerThanOne(
              other * 2 ** 15,
              ...pairs[1],
            );
            result = multiplyByQuantizedMultiplierSmallerThanOne(
              op === 1 ? scaledA - scaledB : scaledA + scaledB,
              ...pairs[2],
            );
          }
          return Math.min(high, Math.max(low, result));
        });
        assert.deepEqual(actual, expected, `op ${op} step ${bStep}`);
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs16_depthwise_sums sums each channel's taps inside the image (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const w of WINDOWS.filter((candidate) => candidate.c > 1)) {
      const input = Int16Array.from(
        random(w.inH * w.inW * w.c),
        (value) => Math.round(value * 32767),
      );
      input[0] = -32768;
      const filter = Int8Array.from(random(w.kH * w.kW * w.c), (value) => Math.round(value * 127));
      const padded = Math.ceil(w.c / 8) * 8;
      const bias = Int32Array.from({ length: padded }, (_, c) => (c < w.c ? c * 1000 - 7000 : 0));
      const layer = storeLayer(memory, {
        ...windowLayerFields(w),
        filter: memory.store(filter),
        bias: memory.store(bias),
      });
      const sums = memory.allocate(w.outH * w.outW * w.c * 4);
      memory.kernels.qs16_depthwise_sums(memory.store(input), sums, layer);
      const actual = memory.i32(sums, w.outH * w.outW * w.c);
      let index = 0;
      for (let oy = 0; oy < w.outH; oy++) {
        for (let ox = 0; ox < w.outW; ox++) {
          for (let c = 0; c < w.c; c++) {
            let acc = bias[c];
            for (let ky = 0; ky < w.kH; ky++) {
              for (let kx = 0; kx < w.kW; kx++) {
                const iy = oy * w.strideH - w.padTop + ky * w.dilationH;
                const ix = ox * w.strideW - w.padLeft + kx * w.dilationW;
                if (iy < 0 || iy >= w.inH || ix < 0 || ix >= w.inW) continue;
                acc += input[(iy * w.inW + ix) * w.c + c] * filter[(ky * w.kW + kx) * w.c + c];
              }
            }
            assert.equal(actual[index++], acc, `${JSON.stringify(w)} at ${oy},${ox},${c}`);
          }
        }
      }
    }
  });
}
