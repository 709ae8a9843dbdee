/**
 * Each float32 wasm kernel against a plain scalar TypeScript reference, on odd shapes (1, 3, 7,
 * 17, 33 ...), borders, strides, dilations and edge values; in each kernel build this engine runs.
 */
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import {
  assertNear,
  expectedPatches,
  freshMemory,
  putF32,
  randomFloats,
  VARIANTS,
  type Window,
  windowLayerFields,
  WINDOWS,
} from "./kernel_harness.ts";

const random = randomFloats(1234);

/** C = clamp(A B^T + bias): A [m, k] (row stride lda), B [n, k], in float64. */
function gemmReference(
  a: Float32Array,
  lda: number,
  b: Float32Array,
  bias: Float32Array,
  m: number,
  n: number,
  k: number,
  low: number,
  high: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let row = 0; row < m; row++) {
    for (let column = 0; column < n; column++) {
      let sum = bias[column];
      for (let depth = 0; depth < k; depth++) sum += a[row * lda + depth] * b[column * k + depth];
      c[row * n + column] = Math.min(high, Math.max(low, sum));
    }
  }
  return c;
}

for (const variant of VARIANTS) {
  Deno.test(`f32_pack_rhs + f32_gemm_4x8 match the scalar GEMM on odd shapes (${variant})`, async () => {
    for (const m of [1, 3, 4, 7, 17, 65]) {
      for (const n of [1, 3, 8, 9, 17, 33]) {
        for (const k of [1, 3, 17]) {
          const memory = await freshMemory(variant);
          const lda = k + 2;
          const ldc = n + 1;
          const a = random(m * lda);
          const b = random(n * k);
          const bias = random(n);
          const [low, high] = m % 2 ? [-Infinity, Infinity] : [-0.5, 0.25];
          const packed = memory.allocate(Math.ceil(n / 8) * 8 * k * 4);
          const bOffset = putF32(memory, b);
          memory.kernels.f32_pack_rhs(bOffset, n, k, k, 1, packed);
          const biasPadded = new Float32Array(Math.ceil(n / 8) * 8);
          biasPadded.set(bias);
          const aOffset = putF32(memory, a);
          const biasOffset = putF32(memory, biasPadded);
          const sentinel = 12345;
          const cOffset = putF32(memory, new Float32Array(m * ldc).fill(sentinel));
          const layer = storeLayer(memory, {
            n,
            depth: k,
            lda,
            ldc,
            bias: biasOffset,
            lowF: low,
            highF: high,
          });
          memory.kernels.f32_gemm_4x8(aOffset, packed, cOffset, m, layer);
          const c = memory.f32(cOffset, m * ldc);
          const expected = gemmReference(a, lda, b, bias, m, n, k, low, high);
          const actual = new Float64Array(m * n);
          for (let row = 0; row < m; row++) {
            for (let column = 0; column < ldc; column++) {
              if (column < n) actual[row * n + column] = c[row * ldc + column];
              else if (c[row * ldc + column] !== sentinel) {
                throw new Error(`wrote past n at row ${row}`);
              }
            }
          }
          assertNear(actual, expected, `gemm m=${m} n=${n} k=${k}`, 1e-5);
        }
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`f32_pack_rhs reads transposed operands through its strides (${variant})`, async () => {
    const memory = await freshMemory(variant);
    const [n, k] = [5, 3];
    const kMajor = random(k * n); // element (n, k) at k * n + n
    const source = putF32(memory, kMajor);
    const packed = memory.allocate(8 * k * 4);
    memory.kernels.f32_pack_rhs(source, n, k, 1, n, packed);
    const panel = memory.f32(packed, 8 * k);
    for (let depth = 0; depth < k; depth++) {
      for (let lane = 0; lane < 8; lane++) {
        const expected = lane < n ? kMajor[depth * n + lane] : 0;
        if (panel[depth * 8 + lane] !== expected) throw new Error(`panel (${depth}, ${lane})`);
      }
    }
  });
}

/** The input value at (y, x, channel), zero outside the image. */
function at(input: Float32Array, w: Window, y: number, x: number, channel: number): number | null {
  if (y < 0 || y >= w.inH || x < 0 || x >= w.inW) return null;
  return input[(y * w.inW + x) * w.c + channel];
}

for (const variant of VARIANTS) {
  Deno.test(`f32_im2col writes every patch, zeros outside the image (${variant})`, async () => {
    for (const w of WINDOWS) {
      const memory = await freshMemory(variant);
      const input = random(w.inH * w.inW * w.c);
      const depth = w.kH * w.kW * w.c;
      const rows = w.outH * w.outW;
      const start = rows > 3 ? 2 : 0;
      const count = rows - start;
      const source = putF32(memory, input);
      const patches = memory.allocate(count * depth * 4);
      const layer = storeLayer(memory, windowLayerFields(w));
      memory.kernels.f32_im2col(source, layer, start, count, patches);
      const expected = expectedPatches(input, w, start, count, 0);
      assertNear(memory.f32(patches, count * depth), expected, `im2col ${JSON.stringify(w)}`, 0);
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`f32_depthwise and f32_depthwise_multiplier match the scalar reference (${variant})`, async () => {
    for (const w of WINDOWS) {
      for (const multiplier of [1, 2]) {
        const memory = await freshMemory(variant);
        const outC = w.c * multiplier;
        const input = random(w.inH * w.inW * w.c);
        const filter = random(w.kH * w.kW * outC);
        const bias = random(outC);
        const [low, high] = multiplier === 1 ? [-0.3, 0.6] : [-Infinity, Infinity];
        const source = putF32(memory, input);
        const filterOffset = putF32(memory, filter);
        const biasPadded = new Float32Array(Math.ceil(outC / 4) * 4);
        biasPadded.set(bias);
        const biasOffset = putF32(memory, biasPadded);
        const output = memory.allocate(w.outH * w.outW * outC * 4);
        const layer = storeLayer(memory, {
          ...windowLayerFields(w),
          multiplier,
          filter: filterOffset,
          bias: biasOffset,
          lowF: low,
          highF: high,
        });
        if (multiplier === 1) memory.kernels.f32_depthwise(source, output, layer);
        else memory.kernels.f32_depthwise_multiplier(source, output, layer);
        const expected: number[] = [];
        for (let oy = 0; oy < w.outH; oy++) {
          for (let ox = 0; ox < w.outW; ox++) {
            for (let o = 0; o < outC; o++) {
              let sum = bias[o];
              for (let ky = 0; ky < w.kH; ky++) {
                for (let kx = 0; kx < w.kW; kx++) {
                  const value = at(
                    input,
                    w,
                    oy * w.strideH - w.padTop + ky * w.dilationH,
                    ox * w.strideW - w.padLeft + kx * w.dilationW,
                    Math.floor(o / multiplier),
                  );
                  if (value !== null) sum += value * filter[(ky * w.kW + kx) * outC + o];
                }
              }
              expected.push(Math.min(high, Math.max(low, sum)));
            }
          }
        }
        assertNear(
          memory.f32(output, expected.length),
          expected,
          `depthwise x${multiplier} ${JSON.stringify(w)}`,
        );
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`f32_pool max and average match the scalar reference, windows cut at borders (${variant})`, async () => {
    for (const w of WINDOWS) {
      for (const average of [0, 1]) {
        const memory = await freshMemory(variant);
        const input = random(w.inH * w.inW * w.c);
        const source = putF32(memory, input);
        const output = memory.allocate(w.outH * w.outW * w.c * 4);
        const [low, high] = average ? [-Infinity, Infinity] : [0, 0.5];
        const layer = storeLayer(memory, { ...windowLayerFields(w), lowF: low, highF: high });
        memory.kernels.f32_pool(average, source, output, layer);
        const expected: number[] = [];
        for (let oy = 0; oy < w.outH; oy++) {
          for (let ox = 0; ox < w.outW; ox++) {
            for (let ch = 0; ch < w.c; ch++) {
              const values: number[] = [];
              for (let ky = 0; ky < w.kH; ky++) {
                for (let kx = 0; kx < w.kW; kx++) {
                  const value = at(
                    input,
                    w,
                    oy * w.strideH - w.padTop + ky,
                    ox * w.strideW - w.padLeft + kx,
                    ch,
                  );
                  if (value !== null) values.push(value);
                }
              }
              const pooled = average
                ? values.reduce((x, y) => x + y, 0) / values.length
                : Math.max(...values);
              expected.push(Math.min(high, Math.max(low, pooled)));
            }
          }
        }
        assertNear(
          memory.f32(output, expected.length),
          expected,
          `pool average=${average} ${JSON.stringify(w)}`,
        );
      }
    }
  });
}

const EDGES = [0, -0, 1, -1, 3, -3, 6, -6, 100, -100, 1e-30, Infinity, -Infinity, NaN];

for (const variant of VARIANTS) {
  Deno.test(`f32_binary: every op, full and broadcast operands, odd lengths, clamps (${variant})`, async () => {
    const ops: ((a: number, b: number) => number)[] = [
      (a, b) => a + b,
      (a, b) => a - b,
      (a, b) => a * b,
      (a, b) => a / b,
      Math.max,
      Math.min,
      (a, b) => (a - b) * (a - b),
    ];
    for (const n of [1, 3, 4, 7, 17, 33]) {
      for (const [aStep, bStep] of [[1, 1], [0, 1], [1, 0]]) {
        for (let op = 0; op < ops.length; op++) {
          const memory = await freshMemory(variant);
          const a = random(n).map((value) => value * 4);
          const b = random(n).map((value) => value * 4 + 0.01);
          const [low, high] = op % 2 ? [-1, 1.5] : [-Infinity, Infinity];
          const output = memory.allocate(n * 4);
          memory.kernels.f32_binary(
            op,
            putF32(memory, a),
            aStep,
            putF32(memory, b),
            bStep,
            output,
            n,
            low,
            high,
          );
          const expected = Array.from(
            { length: n },
            (_, i) =>
              Math.min(high, Math.max(low, Math.fround(ops[op](a[i * aStep], b[i * bStep])))),
          );
          assertNear(
            memory.f32(output, n),
            expected,
            `binary op ${op} n=${n} steps ${aStep},${bStep}`,
          );
        }
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`f32_unary: every op on random and edge values (${variant})`, async () => {
    const ops: ((x: number, alpha: number) => number)[] = [
      (x) => x,
      (x) => 1 / (1 + Math.exp(-x)),
      Math.tanh,
      Math.exp,
      Math.sqrt,
      (x) => 1 / Math.sqrt(x),
      (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
      (x, alpha) => (x < 0 ? x * alpha : x),
      (x) => -x,
      Math.abs,
      (x) => x * x,
      Math.log,
    ];
    const values = Float32Array.from([...EDGES, ...random(17).map((value) => value * 8)]);
    for (let op = 0; op < ops.length; op++) {
      for (const n of [1, 7, values.length]) {
        const memory = await freshMemory(variant);
        const output = memory.allocate(n * 4);
        const [low, high] = op === 0 ? [0, 6] : [-Infinity, Infinity];
        memory.kernels.f32_unary(
          op,
          putF32(memory, values.subarray(0, n)),
          output,
          n,
          0.2,
          low,
          high,
        );
        const expected = Array.from(
          values.subarray(0, n),
          (x) => Math.fround(Math.min(high, Math.max(low, ops[op](x, Math.fround(0.2))))),
        );
        assertNear(memory.f32(output, n), expected, `unary op ${op} n=${n}`, 2e-6);
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`f32_softmax: rows of odd length, large and equal values, beta (${variant})`, async () => {
    for (const [rows, columns] of [[1, 1], [3, 7], [2, 1000], [5, 17]]) {
      for (const beta of [1, 0.5]) {
        const memory = await freshMemory(variant);
        const input = random(rows * columns).map((
          value,
          index,
        ) => (index % 5 === 0 ? 80 : value * 50));
        const output = memory.allocate(rows * columns * 4);
        memory.kernels.f32_softmax(putF32(memory, input), output, rows, columns, beta);
        const expected: number[] = [];
        for (let row = 0; row < rows; row++) {
          const slice = Array.from(input.subarray(row * columns, (row + 1) * columns));
          const largest = Math.max(...slice);
          const exps = slice.map((value) => Math.exp((value - largest) * beta));
          const sum = exps.reduce((x, y) => x + y, 0);
          expected.push(...exps.map((value) => value / sum));
        }
        assertNear(
          memory.f32(output, rows * columns),
          expected,
          `softmax ${rows}x${columns} beta ${beta}`,
          1e-6,
        );
      }
    }
  });
}
