/**
 * Full integer quantization (int8, and 16x8: int16 activations with int8 weights), following the
 * TFLite quantization spec as TensorFlow's converter applies it:
 * - activations: int8 asymmetric per tensor, or int16 symmetric (`integer_scheme.ts`);
 * - weights: int8 symmetric in [-127, 127], per output channel (CONV_2D and FULLY_CONNECTED
 *   axis 0, DEPTHWISE_CONV_2D axis 3) unless `perChannel` is false;
 * - biases: int32 (int64 in 16x8) at input scale x weight scale, zero point 0;
 * - op constraints: SOFTMAX and LOGISTIC output 1/256 with zero point -128 (int16: 1/32768, 0),
 *   TANH 1/128 with 0 (int16: 1/32768, 0); pooling, reshapes, padding, slicing, transposes and
 *   the like keep their input's parameters (PADV2's padding value is stored at them too);
 *   CONCATENATION, PACK, MAXIMUM and MINIMUM share one range over inputs and output, an input
 *   with other parameters (a LOGISTIC's output, say) requantized to it (`integer_ops.ts`);
 * - QUANTIZE where float tensors enter integer ops (and at float model inputs), DEQUANTIZE where
 *   integer tensors reach float ops or float model outputs; int8 or uint8 model inputs and
 *   outputs on request (uint8 through a QUANTIZE that shifts the zero point by 128).
 * Ops without an integer form stay float32 between QUANTIZE/DEQUANTIZE pairs, or are refused
 * all together under `int8Only`.
 *
 * The phases: the fallback plan on the float graph (`fallback_plan.ts`), calibration
 * (`calibrate.ts`), TensorFlow's adjustments of the ranges (`in_place_ranges.ts`,
 * `shared_ranges.ts`), then the rewrite (`integer_rewrite.ts`, over `integer_tensors.ts` and
 * `integer_constants.ts`).
 */
import type { Model } from "../format/ir.ts";
import { calibrate } from "./calibrate.ts";
import { QuantizeError } from "./errors.ts";
import { planFallback, refuseFloatOps } from "./fallback_plan.ts";
import { widenInPlaceInputs } from "./in_place_ranges.ts";
import { rewriteToInteger } from "./integer_rewrite.ts";
import { schemeOf } from "./integer_scheme.ts";
import { IntegerTensors } from "./integer_tensors.ts";
import type { QuantizeOptions, QuantizeReport } from "./options.ts";
import { shareRanges } from "./shared_ranges.ts";

/** Rewrites `model` (a copy of a float model) for full integer inference; fills `report`. */
export async function quantizeFullInteger(
  model: Model,
  options: QuantizeOptions,
  report: QuantizeReport,
): Promise<void> {
  if (model.subgraphs.length !== 1) {
    throw new QuantizeError(
      `full integer quantization handles single-subgraph models; this one has ${model.subgraphs.length}`,
    );
  }
  const scheme = schemeOf(options.mode);
  const subgraph = model.subgraphs[0];
  // Decided on the float graph, before the rewrite turns tensors integer.
  const plan = planFallback(subgraph, scheme.dtype, new Set(options.denylist ?? []));
  if (options.int8Only) refuseFloatOps(subgraph, plan);
  const calibration = await calibrate(
    model,
    options.representativeDataset!,
    options.onProgress,
    options.threads,
  );
  report.samples = calibration.samples;
  widenInPlaceInputs(subgraph, calibration.ranges);
  shareRanges(subgraph, calibration.ranges, plan.floatReasons);
  rewriteToInteger(new IntegerTensors(model, scheme, calibration.ranges), plan, options, report);
}
