/** CONCATENATION and PACK as block copies, for any dtype (legacy uint8 inputs requantized). */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { normalizeAxis } from "../common/axes.ts";
import { copyBlocks, elementBytes } from "./movement_common.ts";
import { roundHalfAway } from "../../quantization/fixed_point.ts";
import { requireSharedParameters } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

const f = Math.fround;

/** CONCATENATION along `axis`, with a fused activation on float32. */
export function concatenation(context: OpContext): PreparedOp {
  const first = context.input(0);
  const inputs = context.inputs.map((_, position) => context.input(position, first.dtype));
  const output = context.output(0, first.dtype);
  // TFLite's uint8 kernel requantizes inputs with other parameters; its int8 one refuses them.
  if (first.dtype !== "uint8") requireSharedParameters(context, inputs, output);
  const rank = first.shape.length;
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), rank);
  for (const tensor of inputs) {
    if (
      tensor.shape.length !== rank ||
      tensor.shape.some((size, at) => at !== axis && size !== first.shape[at])
    ) {
      context.unsupported(
        `inputs [${first.shape}] and [${tensor.shape}] do not concatenate on axis ${axis}`,
      );
    }
  }
  output.shape = first.shape.map((size, at) =>
    at === axis ? inputs.reduce((sum, tensor) => sum + tensor.shape[axis], 0) : size
  );
  const [low, high] = floatActivationRange(context);
  const outer = elementCount(first.shape.slice(0, axis));
  const size = elementBytes(first);
  const blocks = inputs.map((tensor) => ({
    tensor,
    bytes: elementCount(tensor.shape.slice(axis)) * size,
  }));
  const memory = context.memory;
  const clamp = first.dtype === "float32" && (low > -Infinity || high < Infinity);
  const count = elementCount(output.shape);
  const rescaled = first.dtype === "uint8" ? uint8Rescalings(inputs, output) : [];
  return {
    run() {
      copyBlocks(memory, blocks, output, outer, true);
      if (clamp) memory.kernels.f32_unary(0, output.offset, output.offset, count, 0, low, high);
      if (rescaled.length === 0) return;
      const joined = memory.view("uint8", output.offset, count) as Uint8Array;
      const blockBytes = blocks.reduce((sum, block) => sum + block.bytes, 0);
      for (const { position, scale, bias, zeroPoint } of rescaled) {
        const { tensor, bytes } = blocks[position];
        const values = memory.view("uint8", tensor.offset, outer * bytes) as Uint8Array;
        const start = blocks.slice(0, position).reduce((sum, block) => sum + block.bytes, 0);
        for (let block = 0; block < outer; block++) {
          const target = block * blockBytes + start;
          for (let index = 0; index < bytes; index++) {
            const real = f(f(values[block * bytes + index] * scale) + bias);
            const value = roundHalfAway(real) + zeroPoint;
            joined[target + index] = Math.max(0, Math.min(255, value));
          }
        }
      }
    },
  };
}

/**
 * The uint8 inputs whose parameters differ from the output's, with TFLite's float32
 * requantization of them (reference ConcatenationWithScaling): round(q * scale + bias) + the
 * output zero point, clamped to [0, 255], where scale = inputScale * (1 / outputScale) and
 * bias = -inputZeroPoint * scale, each rounded to float32, halves away from zero.
 */
function uint8Rescalings(inputs: RuntimeTensor[], output: RuntimeTensor) {
  const [outputScale] = output.quantization?.scale ?? [1];
  const [outputZeroPoint] = output.quantization?.zeroPoint ?? [0];
  const inverse = f(1 / outputScale);
  return inputs.flatMap((tensor, position) => {
    const [inputScale] = tensor.quantization?.scale ?? [1];
    const [inputZeroPoint] = tensor.quantization?.zeroPoint ?? [0];
    if (inputScale === outputScale && inputZeroPoint === outputZeroPoint) return [];
    const scale = f(inputScale * inverse);
    return [{ position, scale, bias: f(-inputZeroPoint * scale), zeroPoint: outputZeroPoint }];
  });
}

/** PACK: stacks equal-shaped inputs along a new axis. */
export function pack(context: OpContext): PreparedOp {
  const first = context.input(0);
  const inputs = context.inputs.map((_, position) => context.input(position, first.dtype));
  const output = context.output(0, first.dtype);
  const axis = normalizeAxis(context, Number(context.options.axis ?? 0), first.shape.length + 1);
  for (const tensor of inputs) {
    if (tensor.shape.join() !== first.shape.join()) {
      context.unsupported(`inputs [${first.shape}] and [${tensor.shape}] differ`);
    }
  }
  requireSharedParameters(context, inputs, output);
  output.shape = [...first.shape.slice(0, axis), inputs.length, ...first.shape.slice(axis)];
  const outer = elementCount(first.shape.slice(0, axis));
  const bytes = elementCount(first.shape.slice(axis)) * elementBytes(first);
  const blocks = inputs.map((tensor) => ({ tensor, bytes }));
  const memory = context.memory;
  return { run: () => copyBlocks(memory, blocks, output, outer, true) };
}
