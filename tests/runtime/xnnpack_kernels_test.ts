/**
 * The "xnnpack" arithmetic's kernels against scalar models of XNNPACK's formulas (float32
 * rounding by `Math.fround`, ties to even), on both builds: the depthwise kernel's fp32
 * requantization (interior and border windows, ties, sums past 2^24), QUANTIZE's reciprocal
 * scaling, ADD's integer formula (`qs8_binary` op 3) and MUL's fp32 one (op 4), broadcast or not.
 */
import assert from "node:assert/strict";
import { storeLayer } from "../../src/runtime/kernel_layout.ts";
import {
  depthwiseWeightSums,
  Requantization,
} from "../../src/runtime/ops/common/weight_packing.ts";
import {
  roundHalfEven,
  xnnpackAddConstants,
  xnnpackMulScale,
} from "../../src/runtime/ops/common/xnnpack_arithmetic.ts";
import { freshMemory, randomFloats, VARIANTS } from "./kernel_harness.ts";

const random = randomFloats(3131);

function int8s(count: number): Int8Array {
  return Int8Array.from(random(count), (value) => Math.round(value * 127));
}

/** XNNPACK's fp32 requantization of one sum. */
function fp32Requantize(acc: number, scale: number): number {
  return roundHalfEven(Math.fround(Math.fround(acc) * scale));
}

const SCALES = [0.5, 0.25, 3.1e-5, 0.99999, 0.0123, 7.5, 2.2e-4];

for (const variant of VARIANTS) {
  Deno.test(`qs8_depthwise_x8 matches XNNPACK's fp32 requantization (${variant})`, async () => {
    for (const [inH, inW, channels, stride] of [[6, 7, 19, 1], [9, 8, 32, 2], [4, 4, 3, 1]]) {
      const memory = await freshMemory(variant);
      const [kH, kW, padTop, padLeft] = [3, 3, 1, 1];
      const [outH, outW] = [Math.ceil(inH / stride), Math.ceil(inW / stride)];
      const input = int8s(inH * inW * channels);
      const filter = int8s(kH * kW * channels);
      const bias = Int32Array.from(
        random(channels),
        (value, channel) => Math.round(value * (channel % 4 ? 4000 : 2 ** 25 + 1)),
      );
      const padded = Math.ceil(channels / 8) * 8;
      const scales = Float32Array.from(
        { length: padded },
        (_, channel) => channel < channels ? SCALES[channel % SCALES.length] : 0,
      );
      const inputZero = channels % 2 ? -128 : 3;
      const [zeroPoint, low, high] = [-5, -100, 120];
      const paddedBias = new Int32Array(padded);
      paddedBias.set(bias);
      const output = memory.allocate(outH * outW * channels);
      const layer = storeLayer(memory, {
        inH,
        inW,
        channels,
        multiplier: 1,
        kH,
        kW,
        strideH: stride,
        strideW: stride,
        dilationH: 1,
        dilationW: 1,
        padTop,
        padLeft,
        outH,
        outW,
        inputZero,
        filter: memory.store(filter),
        bias: memory.store(paddedBias),
        interiorBias: memory.store(
          Int32Array.from(
            depthwiseWeightSums(filter, channels, padded),
            (sum, channel) => (bias[channel] ?? 0) - inputZero * sum,
          ),
        ),
        params: memory.store(scales),
        padded,
        requantization: Requantization.fp32,
        zeroPoint,
        lowI: low,
        highI: high,
      });
      memory.kernels.qs8_depthwise_x8(memory.store(input), output, layer, 0);
      const actual = new Int8Array(memory.kernels.memory.buffer, output, outH * outW * channels);
      let index = 0;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let c = 0; c < channels; c++) {
            let acc = bias[c];
            for (let ky = 0; ky < kH; ky++) {
              for (let kx = 0; kx < kW; kx++) {
                const iy = oy * stride - padTop + ky;
                const ix = ox * stride - padLeft + kx;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                acc += (input[(iy * inW + ix) * channels + c] - inputZero) *
                  filter[(ky * kW + kx) * channels + c];
              }
            }
            const expected = Math.min(
              high,
              Math.max(low, fp32Requantize(acc, scales[c]) + zeroPoint),
            );
            assert.equal(
              actual[index++],
              expected,
              `${inH}x${inW}x${channels} at ${oy},${ox},${c}`,
            );
          }
        }
      }
    }
  });

  Deno.test(`qs8_quantize_fp32 multiplies by the reciprocal and rounds half to even (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const [scale, zeroPoint] of [[0.5, 0], [0.1, -7], [0.0235, 127], [3, -128]]) {
      const inverse = Math.fround(1 / scale);
      const values = Float32Array.from([
        ...Array.from(random(37), (value) => value * 4),
        0.25,
        -0.25,
        0.75,
        -0.75,
        1.25,
        -1.25,
        2.5,
        -2.5,
        1e9,
        -1e9,
        300,
        -300,
      ]);
      const output = memory.allocate(values.length);
      memory.kernels.qs8_quantize_fp32(
        memory.store(values),
        output,
        values.length,
        inverse,
        zeroPoint,
      );
      const actual = Array.from(new Int8Array(memory.kernels.memory.buffer, output, values.length));
      const expected = Array.from(
        values,
        (value) =>
          Math.min(127, Math.max(-128, roundHalfEven(Math.fround(value * inverse)) + zeroPoint)) |
          0,
      );
      assert.deepEqual(actual, expected, `scale ${scale} zero point ${zeroPoint}`);
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs8_binary's XNNPACK ADD matches XNNPACK's formula (${variant})`, async () => {
    const memory = await freshMemory(variant);
    const cases = [
      [{ scale: 0.02, zeroPoint: -3 }, { scale: 0.05, zeroPoint: 10 }, {
        scale: 0.06,
        zeroPoint: -7,
      }],
      [{ scale: 0.5, zeroPoint: 127 }, { scale: 0.001, zeroPoint: -128 }, {
        scale: 0.01,
        zeroPoint: 0,
      }],
      [{ scale: 1, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }],
    ];
    for (const [a, b, out] of cases) {
      const constants = xnnpackAddConstants(a, b, out)!;
      assert.ok(constants);
      const [multiplierA, multiplierB, bias, shift] = constants;
      const n = 37;
      const x = int8s(n);
      const y = int8s(n);
      x[0] = -128;
      y[1] = 127;
      for (const [low, high] of [[-128, 127], [-10, 50]]) {
        for (const bStep of [1, 0]) {
          const output = memory.allocate(n);
          const layer = storeLayer(memory, {
            zeroPoint: out.zeroPoint,
            lowI: low,
            highI: high,
            params: memory.store(constants),
          });
          memory.kernels.qs8_binary(
            3,
            memory.store(x),
            1,
            memory.store(y),
            bStep,
            output,
            n,
            layer,
          );
          const actual = Array.from(new Int8Array(memory.kernels.memory.buffer, output, n));
          const expected = Array.from(x, (value, index) => {
            const acc = bias + value * multiplierA + y[bStep ? index : 0] * multiplierB;
            return Math.min(high, Math.max(low, (acc >> shift) + out.zeroPoint));
          });
          assert.deepEqual(actual, expected, `${JSON.stringify([a, b, out])} step ${bStep}`);
        }
      }
    }
  });
}

for (const variant of VARIANTS) {
  Deno.test(`qs8_binary's XNNPACK MUL matches XNNPACK's formula (${variant})`, async () => {
    const memory = await freshMemory(variant);
    for (const [scaleA, scaleB, scaleOut] of [[0.02, 0.05, 0.003], [0.5, 0.5, 0.25], [1, 1, 2]]) {
      const scale = xnnpackMulScale(scaleA, scaleB, scaleOut)!;
      assert.ok(scale);
      const n = 29;
      const x = int8s(n);
      const y = int8s(n);
      x[0] = -128;
      y[0] = -128;
      const [zeroA, zeroB, zeroOut] = [3, -128, -7];
      for (const [low, high] of [[-128, 127], [-10, 50]]) {
        for (const bStep of [1, 0]) {
          const output = memory.allocate(n);
          const layer = storeLayer(memory, {
            zeroA,
            zeroB,
            zeroPoint: zeroOut,
            lowI: low,
            highI: high,
            params: memory.store(scale),
          });
          memory.kernels.qs8_binary(
            4,
            memory.store(x),
            1,
            memory.store(y),
            bStep,
            output,
            n,
            layer,
          );
          const actual = Array.from(new Int8Array(memory.kernels.memory.buffer, output, n));
          const expected = Array.from(x, (value, index) => {
            const product = (value - zeroA) * (y[bStep ? index : 0] - zeroB);
            return Math.min(high, Math.max(low, fp32Requantize(product, scale[0]) + zeroOut));
          });
          assert.deepEqual(
            actual,
            expected,
            `scales ${scaleA}, ${scaleB}, ${scaleOut} step ${bStep}`,
          );
        }
      }
    }
  });
}
