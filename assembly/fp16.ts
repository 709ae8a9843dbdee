// IEEE half-precision to single-precision widening, 8 values per SIMD step.
//
// A half h = sign | exponent (5 bits) | mantissa (10 bits). Moving exponent and mantissa 13 bits
// left puts the mantissa where a float32's is; read as a float32 that is h's magnitude times
// 2^-112 (the exponent biases differ by 127 - 15 = 112), for normal and subnormal halves alike,
// so one multiplication by 2^112 finishes both exactly. An all-ones exponent (Inf, NaN) has to
// become the float32 all-ones exponent: OR-ing 0x7f800000 in does that and keeps the NaN payload.

// @ts-ignore: decorator
@inline const TWO_POW_112: u32 = 0x77800000;
// @ts-ignore: decorator
@inline const SHIFTED_EXPONENT: u32 = 0x7c00 << 13;

// @ts-ignore: decorator
@inline
function widen_x4(halves: v128): v128 {
  const sign = i32x4.shl(v128.and(halves, i32x4.splat(0x8000)), 16);
  const shifted = i32x4.shl(v128.and(halves, i32x4.splat(0x7fff)), 13);
  const scaled = f32x4.mul(shifted, f32x4.splat(reinterpret<f32>(TWO_POW_112)));
  const special = i32x4.eq(v128.and(shifted, i32x4.splat(SHIFTED_EXPONENT)), i32x4.splat(SHIFTED_EXPONENT));
  return v128.or(v128.or(scaled, v128.and(special, i32x4.splat(0x7f800000))), sign);
}

function widen_one(half: u32): f32 {
  const shifted = (half & 0x7fff) << 13;
  let bits = reinterpret<u32>(reinterpret<f32>(shifted) * reinterpret<f32>(TWO_POW_112));
  if ((shifted & SHIFTED_EXPONENT) == SHIFTED_EXPONENT) bits |= 0x7f800000;
  return reinterpret<f32>(bits | ((half & 0x8000) << 16));
}

/** Widens `count` halves (raw bits) at `source` to float32 at `destination`. */
export function f16_to_f32_x8(source: usize, destination: usize, count: i32): void {
  let index = 0;
  for (; index + 8 <= count; index += 8) {
    const halves = v128.load(source + (<usize>index << 1));
    const target = destination + (<usize>index << 2);
    v128.store(target, widen_x4(i32x4.extend_low_i16x8_u(halves)));
    v128.store(target, widen_x4(i32x4.extend_high_i16x8_u(halves)), 16);
  }
  for (; index < count; index++) {
    store<f32>(destination + (<usize>index << 2), widen_one(load<u16>(source + (<usize>index << 1))));
  }
}
