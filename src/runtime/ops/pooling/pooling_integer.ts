/**
 * Integer MAX_POOL_2D and AVERAGE_POOL_2D (int8, uint8, int16), as TensorFlow Lite's reference
 * kernels, on the wasm kernel `qs8_pool` (`assembly/qs8_pool.ts`); windows too large for its
 * float32 division here.
 */
import { elementCount } from "../../../format/dtype.ts";
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";
import { quantizedActivationRange } from "../common/activation_range.ts";
import { type SlidingWindow, slidingWindow, windowFields } from "../common/window.ts";
import { integerInput } from "../../quantization/parameters.ts";

/**
 * Most elements a window may hold for `qs8_pool`'s float32 division of an average to stay exact
 * (|sum| + count / 2 below 2^24), by value type.
 */
const WASM_WINDOW_LIMITS: Record<string, number> = { int8: 2 ** 15, uint8: 2 ** 15, int16: 2 ** 8 };

/** Int8, uint8 or int16 pooling on `qs8_pool`, one image per call. */
function wasmPool(
  context: OpContext,
  average: boolean,
  input: RuntimeTensor,
  output: RuntimeTensor,
  window: SlidingWindow,
  kH: number,
  kW: number,
  [low, high]: [number, number],
): PreparedOp {
  const [batches, inH, inW, channels] = input.shape;
  const layer = storeLayer(context.memory, {
    ...windowFields(inH, inW, channels, kH, kW, window),
    lowI: low,
    highI: high,
  });
  const mode = (average ? 1 : 0) | (input.dtype === "uint8" ? 2 : 0) |
    (input.dtype === "int16" ? 4 : 0);
  const kernels = context.kernels;
  const bytes = input.dtype === "int16" ? 2 : 1;
  const imageIn = inH * inW * channels * bytes;
  const imageOut = window.rows.outSize * window.columns.outSize * channels * bytes;
  return {
    run() {
      for (let image = 0; image < batches; image++) {
        kernels.qs8_pool(
          mode,
          input.offset + image * imageIn,
          output.offset + image * imageOut,
          layer,
        );
      }
    },
  };
}

/**
 * MAX_POOL_2D and AVERAGE_POOL_2D on int8/uint8 (input and output share parameters): the
 * average rounds half away from zero over the window's elements inside the image.
 */
export function integerPool(average: boolean): OpKernel {
  return (context) => {
    const input = integerInput(context, 0);
    const output = context.output(0, input.dtype);
    const [batches, inH, inW, channels] = input.shape;
    const kH = Number(context.options.filterHeight ?? 1);
    const kW = Number(context.options.filterWidth ?? 1);
    const window = slidingWindow(context, inH, inW, kH, kW);
    const { strideH, strideW, rows, columns } = window;
    output.shape = [batches, rows.outSize, columns.outSize, channels];
    const [low, high] = quantizedActivationRange(context, output);
    if (input.shape.length === 4 && kH * kW <= WASM_WINDOW_LIMITS[input.dtype]) {
      return wasmPool(context, average, input, output, window, kH, kW, [low, high]);
    }
    const memory = context.memory;
    return {
      run() {
        const source = memory.view(
          input.dtype,
          input.offset,
          elementCount(input.shape),
        ) as Int8Array;
        const target = memory.view(output.dtype, output.offset, elementCount(output.shape));
        let out = 0;
        for (let batch = 0; batch < batches; batch++) {
          for (let oy = 0; oy < rows.outSize; oy++) {
            const y0 = oy * strideH - rows.padBefore;
            for (let ox = 0; ox < columns.outSize; ox++) {
              const x0 = ox * strideW - columns.padBefore;
              for (let channel = 0; channel < channels; channel++) {
                let acc = average ? 0 : -Infinity;
                let count = 0;
                for (let y = Math.max(0, y0); y < Math.min(inH, y0 + kH); y++) {
                  for (let x = Math.max(0, x0); x < Math.min(inW, x0 + kW); x++) {
                    const value = Number(
                      source[((batch * inH + y) * inW + x) * channels + channel],
                    );
                    acc = average ? acc + value : Math.max(acc, value);
                    count++;
                  }
                }
                if (average) {
                  const half = Math.floor(count / 2);
                  acc = Math.trunc(acc > 0 ? (acc + half) / count : (acc - half) / count);
                }
                target[out++] = Math.min(high, Math.max(low, acc));
              }
            }
          }
        }
      },
    };
  };
}
