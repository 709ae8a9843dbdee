/**
 * The float32 GEMM over rows (`f32_gemm_4x8`, `assembly/f32_gemm.ts`) as FULLY_CONNECTED and a 1x1
 * convolution drive it, divided among threads by rows, or below two tiles of rows by panels of
 * output channels.
 */
import type { KernelMemory } from "../../memory.ts";
import type { KernelCalls, PreparedOp } from "../../op.ts";
import type { RuntimeTensor } from "../../tensor.ts";
import { channelSplit, ROW_SPLIT_MIN_ROWS } from "./channel_split.ts";
import { GEMM_TILE_ROWS, rowSplitOp } from "./row_split.ts";

/** A float GEMM of rows: `rows` rows of `k` float32 values into rows of `n`. */
export interface FloatGemmRows {
  /** The input and output tensors (their places are read when the op runs). */
  input: RuntimeTensor;
  output: RuntimeTensor;
  /** The weights packed for `f32_gemm_4x8` (`packWeights`) and the layer block it reads. */
  packed: number;
  layer: number;
  rows: number;
  k: number;
  n: number;
}

/**
 * The prepared op of a float GEMM (`f32_gemm_4x8`) over rows (a batch of fully connected rows,
 * the pixels of a 1x1 convolution): divided among threads by rows, or by panels of output
 * channels below `ROW_SPLIT_MIN_ROWS` rows.
 */
export function floatGemmRowsOp(
  consumedInputs: number[],
  memory: KernelMemory,
  kernels: KernelCalls,
  { input, output, packed, layer, rows, k, n }: FloatGemmRows,
): PreparedOp {
  if (rows < ROW_SPLIT_MIN_ROWS) {
    return rowSplitOp(
      consumedInputs,
      kernels,
      channelSplit(memory, {
        rows,
        n,
        depth: k,
        layer,
        multiply: (calls, firstChannel, block) =>
          // A packed channel takes k floats.
          calls.f32_gemm_4x8(
            input.offset,
            packed + firstChannel * k * 4,
            output.offset + firstChannel * 4,
            rows,
            block,
          ),
      }),
    );
  }
  return rowSplitOp(consumedInputs, kernels, {
    rows,
    grain: GEMM_TILE_ROWS,
    workPerRow: n * k,
    scratchBytes: 0,
    runRows(calls, first, end) {
      calls.f32_gemm_4x8(
        input.offset + first * k * 4,
        packed,
        output.offset + first * n * 4,
        end - first,
        layer,
      );
    },
  });
}
