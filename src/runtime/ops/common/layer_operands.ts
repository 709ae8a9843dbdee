/**
 * The operand checks TFLite's CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (and, for the
 * filter's channels, TRANSPOSE_CONV) make at prepare, before any path (float32, hybrid, integer)
 * reads a constant: the filter's rank and how its dimensions fit the input, per-channel scales
 * along its output channels, and a bias of one value per output channel.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext } from "../../op.ts";

/** Whether a filter [., kH, kW, .] has a window of at least one tap. */
const hasTaps = (shape: number[]) => shape[1] > 0 && shape[2] > 0;

/**
 * CONV_2D: NHWC input, filter [outC, kH, kW, inC / groups] (kH, kW at least 1), outC a multiple
 * of the groups.
 */
export function checkConvolutionOperands(context: OpContext): void {
  const input = context.input(0);
  const filter = context.input(1);
  context.expectRank(input, "input", 4);
  context.expectRank(filter, "filter", 4);
  const [outC, , , filterC] = filter.shape;
  const groups = input.shape[3] / filterC;
  if (!(Number.isInteger(groups) && groups > 0 && outC % groups === 0) || !hasTaps(filter.shape)) {
    context.unsupported(
      `${
        context.describe(filter, "filter")
      } has shape [${filter.shape}], which does not fit input [${input.shape}]: it must be [outC, kH, kW, input channels / groups], kH and kW at least 1`,
    );
  }
  checkFilterChannels(context, outC, 0, 2);
}

/**
 * DEPTHWISE_CONV_2D: NHWC input, filter [1, kH, kW, outC] (kH, kW at least 1), outC a multiple
 * of the channels.
 */
export function checkDepthwiseOperands(context: OpContext): void {
  const input = context.input(0);
  const filter = context.input(1);
  context.expectRank(input, "input", 4);
  context.expectRank(filter, "filter", 4);
  const outC = filter.shape[3];
  const channels = input.shape[3];
  if (filter.shape[0] !== 1 || channels === 0 || outC % channels !== 0 || !hasTaps(filter.shape)) {
    context.unsupported(
      `${
        context.describe(filter, "filter")
      } has shape [${filter.shape}]; it must be [1, kH, kW, a multiple of input [${input.shape}]'s ${channels} channels], kH and kW at least 1`,
    );
  }
  checkFilterChannels(context, outC, 3, 2);
}

/** FULLY_CONNECTED: weights [outC, depth] and an input of whole rows of that depth. */
export function checkFullyConnectedOperands(context: OpContext): void {
  const input = context.input(0);
  const weights = context.input(1);
  context.expectRank(weights, "weights", 2);
  const [outC, depth] = weights.shape;
  if (!(depth > 0 && elementCount(input.shape) % depth === 0)) {
    context.unsupported(
      `${
        context.describe(weights, "weights")
      } has shape [${weights.shape}]; input [${input.shape}] does not split into rows of ${depth}`,
    );
  }
  checkFilterChannels(context, outC, 0, 2);
}

/**
 * A per-channel quantized filter (input 1) has one scale per output channel, along `axis` (as
 * TFLite's PopulateConvolutionQuantizationParams checks); a bias (input `biasPosition`), when
 * present, holds one value per output channel.
 */
export function checkFilterChannels(
  context: OpContext,
  channels: number,
  axis: number,
  biasPosition: number,
): void {
  const filter = context.input(1);
  const quantization = filter.quantization;
  if (quantization && quantization.scale.length > 1) {
    if (quantization.scale.length !== channels || quantization.quantizedDimension !== axis) {
      context.unsupported(
        `${
          context.describe(filter, "filter")
        } has ${quantization.scale.length} scales along axis ${quantization.quantizedDimension}; per-channel filters have one per output channel (${channels}) along axis ${axis}`,
      );
    }
  }
  const bias = context.optionalInput(biasPosition);
  if (bias) context.expectElements(bias, "bias", channels, "output channels");
}
