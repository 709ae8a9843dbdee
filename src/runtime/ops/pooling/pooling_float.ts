/** Float32 MAX_POOL_2D and AVERAGE_POOL_2D (NHWC), on the `f32_pool` kernel. */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import { slidingWindow, windowFields } from "../common/window.ts";

/** MAX_POOL_2D (`average` false) or AVERAGE_POOL_2D on float32. */
export function floatPool(context: OpContext, average: boolean): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length !== 4) context.unsupported(`input [${input.shape}] must be 4-D`);
  const [batches, inH, inW, channels] = input.shape;
  const kH = Number(context.options.filterHeight ?? 1);
  const kW = Number(context.options.filterWidth ?? 1);
  const window = slidingWindow(context, inH, inW, kH, kW);
  const { rows, columns } = window;
  const [low, high] = floatActivationRange(context);
  output.shape = [batches, rows.outSize, columns.outSize, channels];
  const layer = storeLayer(context.memory, {
    ...windowFields(inH, inW, channels, kH, kW, window),
    lowF: low,
    highF: high,
  });
  const kernels = context.kernels;
  const imageIn = inH * inW * channels * 4;
  const imageOut = rows.outSize * columns.outSize * channels * 4;
  return {
    run() {
      for (let image = 0; image < batches; image++) {
        kernels.f32_pool(
          average ? 1 : 0,
          input.offset + image * imageIn,
          output.offset + image * imageOut,
          layer,
        );
      }
    },
  };
}
