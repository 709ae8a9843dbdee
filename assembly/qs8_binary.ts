// Int8 element-wise ADD, SUB and MUL with TFLite's reference arithmetic. Operands step 1 (a full
// row) or 0 (one value broadcast along the row); the TypeScript side walks the outer, broadcast
// dimensions.

import {
  LAYER_HIGH_I, LAYER_LOW_I, LAYER_PARAMS, LAYER_PARAMS_A, LAYER_PARAMS_B, LAYER_ZERO_A,
  LAYER_ZERO_B, LAYER_ZERO_POINT, PARAM_HALF, PARAM_MULTIPLIER, PARAM_ROUNDS, PARAM_UP,
} from "./kernel_layout.generated";
import { requantize_fp32, requantize_x4, requantize_x4_fp32 } from "./qs8_requantize";

/** Eight int8 operand values (step 1) or one broadcast (step 0), widened, minus the zero point. */
// @ts-ignore: decorator
@inline
function load_operand_x8(pointer: usize, step: i32, zero: v128): v128 {
  const values = step ? v128.load8x8_s(pointer) : i16x8.splat(<i16>load<i8>(pointer));
  return i16x8.sub(values, zero);
}

/**
 * TFLite's rescaling of an ADD/SUB input in 32-bit lanes: the value v (less its zero point, so
 * |v| <= 255) shifted left by 20 bits, times the Q31 multiplier M with rounding
 * (SaturatingRoundingDoublingHighMul), divided by 2^exponent rounding half away from zero. The
 * multiplier is below one (no left shift), so the product needs no 64 bits: floor((v 2^20 M +
 * 2^30) / 2^31) = floor((v M + 2^10) / 2^11) = v (M >> 11) + ((v (M & 2047) + 2^10) >> 11),
 * both products within int32. `half` and `rounds` are those of `qs8_channel_params`.
 */
// @ts-ignore: decorator
@inline
function rescale_input(
  v: v128, multiplierHigh: v128, multiplierLow: v128, half: v128, rounds: v128, exponent: i32,
): v128 {
  const low = i32x4.shr_s(i32x4.add(i32x4.mul(v, multiplierLow), i32x4.splat(1 << 10)), 11);
  const product = i32x4.add(i32x4.mul(v, multiplierHigh), low);
  const negative = v128.and(i32x4.shr_u(product, 31), rounds);
  return i32x4.shr_s(i32x4.sub(i32x4.add(product, half), negative), exponent);
}

/** ADD (op 0) or SUB (op 1) of four lanes of operands less their zero points, requantized. */
// @ts-ignore: decorator
@inline
function add_sub_lanes(
  op: i32, a: v128, b: v128, highA: v128, lowA: v128, halfA: v128, roundsA: v128,
  exponentA: i32, highB: v128, lowB: v128, halfB: v128, roundsB: v128, exponentB: i32,
  paramsOut: usize,
): v128 {
  // TFLite: both inputs shifted left by 20 bits, each rescaled to twice the larger input scale,
  // summed (or subtracted), rescaled to the output.
  const scaledA = rescale_input(a, highA, lowA, halfA, roundsA, exponentA);
  const scaledB = rescale_input(b, highB, lowB, halfB, roundsB, exponentB);
  return requantize_x4(op == 1 ? i32x4.sub(scaledA, scaledB) : i32x4.add(scaledA, scaledB), paramsOut, 16, 0);
}

/**
 * ADD (op 0), SUB (op 1) or MUL (op 2) of n int8 values as TFLite's reference kernels compute
 * them, or as XNNPACK does ADD (op 3, `add_xnnpack`) and MUL (op 4: the product times the float32
 * scale at `params`, rounded half to even), 8 per step; operands step 1 (a full row) or 0 (one broadcast value). The layer block
 * gives the zero points (`zeroA`, `zeroB`, `zeroPoint` the output's), the clamp (`lowI`,
 * `highI`) and the requantization constants, 4-channel blocks from qs8_channel_params: for
 * ADD/SUB the two input rescalings (`paramsA`, `paramsB`: multipliers below one, see
 * `rescale_input`) and the output's (`params`); for MUL
 * only `params` (applied to the product).
 */
export function qs8_binary(
  op: i32, a: usize, aStep: i32, b: usize, bStep: i32, output: usize, n: i32, layer: usize,
): void {
  const zeroA = load<i32>(layer + LAYER_ZERO_A);
  const zeroB = load<i32>(layer + LAYER_ZERO_B);
  const zeroOut = load<i32>(layer + LAYER_ZERO_POINT);
  const low = load<i32>(layer + LAYER_LOW_I);
  const high = load<i32>(layer + LAYER_HIGH_I);
  const paramsA = load<usize>(layer + LAYER_PARAMS_A);
  const paramsB = load<usize>(layer + LAYER_PARAMS_B);
  const paramsOut = load<usize>(layer + LAYER_PARAMS);
  // The input rescalings' constants (`rescale_input`), from their uniform 4-lane blocks.
  const multiplierA = load<i32>(paramsA + PARAM_MULTIPLIER * 16);
  const multiplierB = load<i32>(paramsB + PARAM_MULTIPLIER * 16);
  const highA = i32x4.splat(multiplierA >> 11), lowA = i32x4.splat(multiplierA & 2047);
  const highB = i32x4.splat(multiplierB >> 11), lowB = i32x4.splat(multiplierB & 2047);
  const halfA = i32x4.splat(load<i32>(paramsA + PARAM_HALF * 16));
  const halfB = i32x4.splat(load<i32>(paramsB + PARAM_HALF * 16));
  const roundsA = i32x4.splat(load<i32>(paramsA + PARAM_ROUNDS * 16));
  const roundsB = i32x4.splat(load<i32>(paramsB + PARAM_ROUNDS * 16));
  const exponentA = 30 - ctz(load<i32>(paramsA + PARAM_UP * 16));
  const exponentB = 30 - ctz(load<i32>(paramsB + PARAM_UP * 16));
  const za = i16x8.splat(<i16>zeroA);
  const zb = i16x8.splat(<i16>zeroB);
  const scale: f32 = op == 4 ? load<f32>(paramsOut) : 0;
  const scaleV = f32x4.splat(scale);
  const zo = i32x4.splat(zeroOut);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(high);
  if (op == 3) {
    add_xnnpack(a, aStep, b, bStep, output, n, paramsOut, zeroOut, low, high);
    return;
  }
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const x = load_operand_x8(a + <usize>(i * aStep), aStep, za);
    const y = load_operand_x8(b + <usize>(i * bStep), bStep, zb);
    let first: v128, second: v128;
    if (op == 2) {
      first = requantize_x4(i32x4.extmul_low_i16x8_s(x, y), paramsOut, 16, 0);
      second = requantize_x4(i32x4.extmul_high_i16x8_s(x, y), paramsOut, 16, 0);
    } else if (op == 4) {
      first = requantize_x4_fp32(i32x4.extmul_low_i16x8_s(x, y), scaleV);
      second = requantize_x4_fp32(i32x4.extmul_high_i16x8_s(x, y), scaleV);
    } else {
      first = add_sub_lanes(op, i32x4.extend_low_i16x8_s(x), i32x4.extend_low_i16x8_s(y), highA, lowA, halfA, roundsA, exponentA, highB, lowB, halfB, roundsB, exponentB, paramsOut);
      second = add_sub_lanes(op, i32x4.extend_high_i16x8_s(x), i32x4.extend_high_i16x8_s(y), highA, lowA, halfA, roundsA, exponentA, highB, lowB, halfB, roundsB, exponentB, paramsOut);
    }
    first = i32x4.min_s(i32x4.max_s(i32x4.add(first, zo), lowV), highV);
    second = i32x4.min_s(i32x4.max_s(i32x4.add(second, zo), lowV), highV);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(first, second), first), 0);
  }
  for (; i < n; i++) {
    const x = <i32>load<i8>(a + <usize>(i * aStep)) - zeroA;
    const y = <i32>load<i8>(b + <usize>(i * bStep)) - zeroB;
    let value: i32;
    if (op == 2) {
      value = i32x4.extract_lane(requantize_x4(i32x4.splat(x * y), paramsOut, 16, 0), 0);
    } else if (op == 4) {
      value = requantize_fp32(x * y, scale);
    } else {
      value = i32x4.extract_lane(add_sub_lanes(op, i32x4.splat(x), i32x4.splat(y), highA, lowA, halfA, roundsA, exponentA, highB, lowB, halfB, roundsB, exponentB, paramsOut), 0);
    }
    store<i8>(output + <usize>i, <i8>min(high, max(low, value + zeroOut)));
  }
}

/** The table entry of the operand values at a and b: (a + 128) * 256 + b + 128 (v ^ 0x80 = v + 128). */
// @ts-ignore: decorator
@inline
function table_entry(table: usize, a: usize, b: usize): u8 {
  return load<u8>(table + ((<usize>(load<u8>(a) ^ 0x80) << 8) | <usize>(load<u8>(b) ^ 0x80)));
}

/**
 * An int8 binary op by table lookup: output[i] = table[(a[i] + 128) * 256 + b[i] + 128], where
 * `table` holds the op's 65536 results (one per pair of operand values, computed by `qs8_binary`
 * at load); operands step 1 (a full row) or 0 (one broadcast value); 8 per step when both
 * step 1, else 4.
 */
export function qs8_binary_table(
  a: usize, aStep: i32, b: usize, bStep: i32, output: usize, n: i32, table: usize,
): void {
  const sa = <usize>aStep, sb = <usize>bStep;
  let i = 0;
  if (aStep && bStep) {
    // 8 pairs per step from one 64-bit load of each operand, their bytes flipped to v + 128.
    for (; i + 8 <= n; i += 8) {
      const x = load<u64>(a + <usize>i) ^ 0x8080808080808080;
      const y = load<u64>(b + <usize>i) ^ 0x8080808080808080;
      const xl = <usize>x, yl = <usize>y, xh = <usize>(x >> 32), yh = <usize>(y >> 32);
      const r0 = <u64>load<u8>(table + ((xl & 0xff) << 8 | (yl & 0xff)));
      const r1 = <u64>load<u8>(table + ((xl & 0xff00) | (yl >> 8 & 0xff)));
      const r2 = <u64>load<u8>(table + ((xl >> 8 & 0xff00) | (yl >> 16 & 0xff)));
      const r3 = <u64>load<u8>(table + ((xl >> 16 & 0xff00) | (yl >> 24)));
      const r4 = <u64>load<u8>(table + ((xh & 0xff) << 8 | (yh & 0xff)));
      const r5 = <u64>load<u8>(table + ((xh & 0xff00) | (yh >> 8 & 0xff)));
      const r6 = <u64>load<u8>(table + ((xh >> 8 & 0xff00) | (yh >> 16 & 0xff)));
      const r7 = <u64>load<u8>(table + ((xh >> 16 & 0xff00) | (yh >> 24)));
      store<u64>(output + <usize>i, r0 | (r1 << 8) | (r2 << 16) | (r3 << 24) | (r4 << 32) | (r5 << 40) | (r6 << 48) | (r7 << 56));
    }
  }
  for (; i + 4 <= n; i += 4) {
    const x = a + <usize>i * sa, y = b + <usize>i * sb;
    const r0 = <u32>table_entry(table, x, y);
    const r1 = <u32>table_entry(table, x + sa, y + sb);
    const r2 = <u32>table_entry(table, x + 2 * sa, y + 2 * sb);
    const r3 = <u32>table_entry(table, x + 3 * sa, y + 3 * sb);
    store<u32>(output + <usize>i, r0 | (r1 << 8) | (r2 << 16) | (r3 << 24));
  }
  for (; i < n; i++) {
    store<u8>(output + <usize>i, table_entry(table, a + <usize>i * sa, b + <usize>i * sb));
  }
}

/**
 * XNNPACK's int8 ADD: (bias + a * multiplierA + b * multiplierB) >> shift, plus the output zero
 * point, clamped; its four i32 constants at `constants`: multiplierA, multiplierB, bias (the
 * rounding 2^(shift - 1) less both zero points' products) and shift.
 */
function add_xnnpack(
  a: usize, aStep: i32, b: usize, bStep: i32, output: usize, n: i32, constants: usize,
  zeroOut: i32, low: i32, high: i32,
): void {
  const multiplierA = load<i32>(constants);
  const multiplierB = load<i32>(constants, 4);
  const bias = load<i32>(constants, 8);
  const shift = load<i32>(constants, 12);
  const ma = i32x4.splat(multiplierA);
  const mb = i32x4.splat(multiplierB);
  const biasV = i32x4.splat(bias);
  const zero = i16x8.splat(0);
  const zo = i32x4.splat(zeroOut);
  const lowV = i32x4.splat(low);
  const highV = i32x4.splat(high);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const x = load_operand_x8(a + <usize>(i * aStep), aStep, zero);
    const y = load_operand_x8(b + <usize>(i * bStep), bStep, zero);
    const accLow = i32x4.add(biasV, i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_s(x), ma), i32x4.mul(i32x4.extend_low_i16x8_s(y), mb)));
    const accHigh = i32x4.add(biasV, i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_s(x), ma), i32x4.mul(i32x4.extend_high_i16x8_s(y), mb)));
    const first = i32x4.min_s(i32x4.max_s(i32x4.add(i32x4.shr_s(accLow, shift), zo), lowV), highV);
    const second = i32x4.min_s(i32x4.max_s(i32x4.add(i32x4.shr_s(accHigh, shift), zo), lowV), highV);
    v128.store64_lane(output + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(first, second), first), 0);
  }
  for (; i < n; i++) {
    const acc = bias + <i32>load<i8>(a + <usize>(i * aStep)) * multiplierA + <i32>load<i8>(b + <usize>(i * bStep)) * multiplierB;
    store<i8>(output + <usize>i, <i8>min(high, max(low, (acc >> shift) + zeroOut)));
  }
}

/** Four int16 operand values (step 1) or one broadcast (step 0), widened, minus the zero point. */
// @ts-ignore: decorator
@inline
function load_operand16_x4(pointer: usize, step: i32, zero: v128): v128 {
  const values = step
    ? i32x4.extend_low_i16x8_s(v128.load64_zero(pointer))
    : i32x4.splat(<i32>load<i16>(pointer));
  return i32x4.sub(values, zero);
}

/** ADD (op 0), SUB (op 1) or MUL (op 2) of four int16 lanes, requantized, as `qs16_binary`. */
// @ts-ignore: decorator
@inline
function lanes16(op: i32, x: v128, y: v128, paramsA: usize, paramsB: usize, paramsOut: usize): v128 {
  if (op == 2) return requantize_x4(i32x4.mul(x, y), paramsOut, 16, 0);
  // int16 ADD/SUB: both inputs shifted left by 15 bits, each rescaled, summed, rescaled.
  const scaledA = requantize_x4(i32x4.shl(x, 15), paramsA, 16, 0);
  const scaledB = requantize_x4(i32x4.shl(y, 15), paramsB, 16, 0);
  return requantize_x4(op == 1 ? i32x4.sub(scaledA, scaledB) : i32x4.add(scaledA, scaledB), paramsOut, 16, 0);
}

/**
 * `qs8_binary`'s ADD (op 0), SUB (op 1) and MUL (op 2) on int16 values (int16x8 models), 4 per
 * step, TFLite's reference arithmetic with the same layer block; the caller checks at load that
 * no constant shifts left (the 15-bit shifted inputs and the products stay within int32).
 */
export function qs16_binary(
  op: i32, a: usize, aStep: i32, b: usize, bStep: i32, output: usize, n: i32, layer: usize,
): void {
  const zeroA = i32x4.splat(load<i32>(layer + LAYER_ZERO_A));
  const zeroB = i32x4.splat(load<i32>(layer + LAYER_ZERO_B));
  const zeroOut = i32x4.splat(load<i32>(layer + LAYER_ZERO_POINT));
  const low = i32x4.splat(load<i32>(layer + LAYER_LOW_I));
  const high = i32x4.splat(load<i32>(layer + LAYER_HIGH_I));
  const paramsA = load<usize>(layer + LAYER_PARAMS_A);
  const paramsB = load<usize>(layer + LAYER_PARAMS_B);
  const paramsOut = load<usize>(layer + LAYER_PARAMS);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = load_operand16_x4(a + (<usize>(i * aStep) << 1), aStep, zeroA);
    const y = load_operand16_x4(b + (<usize>(i * bStep) << 1), bStep, zeroB);
    const value = i32x4.min_s(i32x4.max_s(i32x4.add(lanes16(op, x, y, paramsA, paramsB, paramsOut), zeroOut), low), high);
    v128.store64_lane(output + (<usize>i << 1), i16x8.narrow_i32x4_s(value, value), 0);
  }
  for (; i < n; i++) {
    const x = i32x4.sub(i32x4.splat(<i32>load<i16>(a + (<usize>(i * aStep) << 1))), zeroA);
    const y = i32x4.sub(i32x4.splat(<i32>load<i16>(b + (<usize>(i * bStep) << 1))), zeroB);
    const value = i32x4.min_s(i32x4.max_s(i32x4.add(lanes16(op, x, y, paramsA, paramsB, paramsOut), zeroOut), low), high);
    store<i16>(output + (<usize>i << 1), <i16>i32x4.extract_lane(value, 0));
  }
}
