/**
 * What MediaPipe's custom ops share: the convolution and pooling ops' options, TFLite's C
 * parameter structs stored raw as the custom options (`TfLiteTransposeConvParams`,
 * `TfLitePoolParams`: little-endian int32 fields), and TFLite's `ComputePadding`; the landmark and
 * transform ops' options, a FlexBuffer map.
 */
import { type FlexValue, readFlexBuffer } from "../../../format/flexbuffers.ts";
import type { OpContext } from "../../op.ts";

/** TFLite's `TfLitePadding` values. */
const PADDING = ["UNKNOWN", "SAME", "VALID"] as const;

/** TFLite's `TfLiteFusedActivation` values, by the names of the builtin options. */
const ACTIVATION = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT", "SIGMOID"];

/** The first `count` int32 fields of the custom options struct. */
function structFields(context: OpContext, count: number, struct: string): number[] {
  const bytes = context.operator.customOptions;
  if (!bytes || bytes.byteLength < count * 4) {
    context.unsupported(
      `its custom options hold ${bytes?.byteLength ?? 0} bytes; a ${struct} needs ${count * 4}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, index) => view.getInt32(index * 4, true));
}

function padding(context: OpContext, value: number): "SAME" | "VALID" {
  const name = PADDING[value];
  if (name !== "SAME" && name !== "VALID") {
    context.unsupported(`padding ${value} is not SAME or VALID`);
  }
  return name;
}

function positive(context: OpContext, values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(value > 0)) context.unsupported(`option ${name} is ${value}; it must be positive`);
  }
}

/** `TfLiteTransposeConvParams`: padding and strides. */
export function transposeConvParams(context: OpContext) {
  const [paddingValue, strideW, strideH] = structFields(context, 3, "TfLiteTransposeConvParams");
  positive(context, { stride_width: strideW, stride_height: strideH });
  return { padding: padding(context, paddingValue), strideW, strideH };
}

/** `TfLitePoolParams`: padding, strides, window and fused activation (as its option name). */
export function poolParams(context: OpContext) {
  const [paddingValue, strideW, strideH, filterW, filterH, activationValue] = structFields(
    context,
    6,
    "TfLitePoolParams",
  );
  positive(context, {
    stride_width: strideW,
    stride_height: strideH,
    filter_width: filterW,
    filter_height: filterH,
  });
  const activation = ACTIVATION[activationValue];
  if (activation === undefined) {
    context.unsupported(`fused activation ${activationValue} is unknown`);
  }
  return {
    padding: padding(context, paddingValue),
    strideW,
    strideH,
    filterW,
    filterH,
    activation,
  };
}

/** TFLite's `ComputePadding` (dilation 1): the padding before an axis, never negative. */
export function computePadding(stride: number, inSize: number, filter: number, outSize: number) {
  return Math.max(0, Math.trunc(((outSize - 1) * stride + filter - inSize) / 2));
}

/** The custom options as a FlexBuffer map (MediaPipe's landmark and transform ops). */
export function flexOptions(context: OpContext): { [key: string]: FlexValue } {
  const bytes = context.operator.customOptions;
  if (!bytes) context.unsupported("the op has no custom options");
  let map: FlexValue;
  try {
    map = readFlexBuffer(bytes, context.where);
  } catch (error) {
    context.unsupported((error as Error).message);
  }
  if (map === null || typeof map !== "object" || Array.isArray(map)) {
    context.unsupported("the custom options are not a FlexBuffer map");
  }
  return map;
}

/** A numeric option of a FlexBuffer map (`fallback` when absent; required when none). */
export function numberOption(
  context: OpContext,
  map: { [key: string]: FlexValue },
  key: string,
  fallback?: number,
): number {
  const value = map[key] ?? fallback;
  if (typeof value !== "number" && typeof value !== "bigint") {
    context.unsupported(`option ${key} is ${value === undefined ? "missing" : "not a number"}`);
  }
  return Number(value);
}

/** An integer vector option of a FlexBuffer map. */
export function integersOption(
  context: OpContext,
  map: { [key: string]: FlexValue },
  key: string,
): number[] {
  const value = map[key];
  if (
    !Array.isArray(value) ||
    !value.every((item) => typeof item === "number" || typeof item === "bigint")
  ) {
    context.unsupported(`option ${key} is not a vector of integers`);
  }
  return value.map(Number);
}
