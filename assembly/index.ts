// liteq's WebAssembly kernels. Pointers are byte offsets into this module's memory, which the
// TypeScript side lays out from `heap_base()` upward.

export { f16_to_f32_x8 } from "./fp16";
export { qs8_dot_form, relaxed_self_test } from "./simd";
export { set_spill_area } from "./spill";
export { qs8_dot_peak, relaxed_dot_peak } from "./dot_peak";
export { f32_gemm_4x8, f32_pack_rhs } from "./f32_gemm";
export { f32_im2col } from "./f32_conv";
export { f32_depthwise, f32_depthwise_multiplier } from "./f32_depthwise";
export { f32_pool } from "./f32_pool";
export { f32_binary, f32_softmax, f32_unary } from "./f32_elementwise";
export { f32_range } from "./f32_range";
export { f32_channel_means } from "./f32_reduce";
export { qs8_im2col } from "./qs8_conv";
export {
  qs8_gemm_4x8, qs8_gemm_dequantize_4x8, qs8_gemm_sums_4x8, qs8_pack_weights,
  qs8_pack_weights_i16, qs8_widen, qs8_widen_uint8,
} from "./qs8_gemm";
export { qs16_depthwise_sums, qs16_requantize_sums } from "./qs16_requantize";
export { qs8_gemm_4x8c4, qs8_gemm_dequantize_4x8c4, qs8_pack_weights_c4 } from "./qs8_gemm_dot";
export { qs8_depthwise, qs8_depthwise_dequantize_x8, qs8_depthwise_x8 } from "./qs8_depthwise";
export { qs16_binary, qs8_binary, qs8_binary_table } from "./qs8_binary";
export { qs8_pool } from "./qs8_pool";
export { qs8_channel_sums, qs8_requantize_sums } from "./qs8_reduce";
export { qs8_flip, qs8_requantize_values } from "./qs8_convert";
export { qs8_quantize, qs8_quantize_fp32, qs8_quantize_hybrid } from "./qs8_quantize";
export { qs8_channel_params } from "./qs8_requantize";

/** The first byte of memory free for the caller's buffers. */
export function heap_base(): usize {
  return __heap_base;
}
