/**
 * The split of a GEMM over few rows (a batch-1 FULLY_CONNECTED, a 1x1 convolution of a 1x1 image)
 * by panels of output channels, which the float and the int8 GEMMs share: both pack their weights
 * in panels of 8 channels and read the channel count, the bias and the per-channel constants from
 * their layer block.
 */
import { layerFieldOffset } from "../../kernel_layout.ts";
import type { KernelMemory } from "../../memory.ts";
import type { KernelCalls, RowSplit } from "../../op.ts";
import { GEMM_TILE_ROWS } from "./row_split.ts";
import { oneShiftGroupBytes, Requantization } from "./weight_packing.ts";
import { copyLayerFields, LAYER_BLOCK_BYTES } from "./window.ts";

/** Output channels of a packed weight panel: a split by channels cuts whole panels. */
const PANEL_CHANNELS = 8;

/**
 * Fewest rows a GEMM divides by among threads: two of its tiles. With fewer it divides by panels
 * of output channels instead (`channelSplit`). Measured in Chromium on 2 threads, the rows divide
 * better wherever there are two tiles: MobileNet V2's int8 1x1 convolutions on its 7x7 image (49
 * rows) took 0.53-0.60x their one-thread time divided by rows, 0.56-0.71x by channels; its int8
 * FULLY_CONNECTED (1 row) 0.74x by channels.
 */
export const ROW_SPLIT_MIN_ROWS = 2 * GEMM_TILE_ROWS;

/**
 * The work (in GEMM multiply-adds, the unit of the split threshold) of one multiply-add of a GEMM
 * over fewer rows than two tiles: each weight it reads serves a few rows at most. Measured in
 * Chromium, MobileNet V2's float FULLY_CONNECTED (1 row) ran 5-6 G multiply-adds a second against
 * 20-25 G in its 1x1 convolutions.
 */
const WORK_PER_FEW_ROWS_MULTIPLY_ADD = 4;

/**
 * Copies the GEMM layer block at `layer` to `target` narrowed to output channels [first, end),
 * `first` on a panel: a kernel given the copy, the panels from `first` and the output advanced by
 * `first` channels computes those channels exactly as over the whole layer (the bias, and the
 * per-channel constants of a layer that has them, start at `first`; their arrays keep the layer's
 * stride, and the one-shift form's block is read from `first`'s group on).
 */
function channelsLayer(
  memory: KernelMemory,
  layer: number,
  first: number,
  end: number,
  target: number,
): number {
  const fields = copyLayerFields(memory, layer, target);
  fields[layerFieldOffset("n") / 4] = end - first;
  fields[layerFieldOffset("bias") / 4] += first * 4;
  const params = layerFieldOffset("params") / 4;
  if (fields[params] !== 0) fields[params] += first * 4;
  // The one-shift forms' constants, a group of 4 channels at a time (`first` is on a panel).
  const oneShiftParams = layerFieldOffset("oneShiftParams") / 4;
  if (fields[oneShiftParams] !== 0) {
    const linear = fields[layerFieldOffset("requantization") / 4] === Requantization.oneShiftLinear;
    fields[oneShiftParams] += (first / 4) * oneShiftGroupBytes(linear);
  }
  return target;
}

/** A GEMM's layer as `channelSplit` divides it. */
export interface ChannelPanels {
  /** Rows multiplied, output channels and values per row (the packed depth). */
  rows: number;
  n: number;
  depth: number;
  /** The layer block the GEMM reads. */
  layer: number;
  /** Scratch bytes the GEMM needs (none if left out). */
  scratchBytes?: number;
  /**
   * Makes the GEMM's call for the channels from `firstChannel` (a panel's first: the packed
   * weights from that channel's) under the layer block `block`, with its `scratch`.
   */
  multiply(calls: KernelCalls, firstChannel: number, block: number, scratch: number): void;
}

/**
 * The split of a GEMM by panels of output channels: each chunk multiplies every row by its panels'
 * weights, under a copy of the layer block narrowed to them. The results are those of one call
 * over all channels.
 */
export function channelSplit(
  memory: KernelMemory,
  { rows, n, depth, layer, scratchBytes = 0, multiply }: ChannelPanels,
): RowSplit {
  return {
    rows: Math.ceil(n / PANEL_CHANNELS),
    grain: 1,
    workPerRow: rows * PANEL_CHANNELS * depth * WORK_PER_FEW_ROWS_MULTIPLY_ADD,
    // The narrowed layer block, then the GEMM's scratch.
    scratchBytes: LAYER_BLOCK_BYTES + scratchBytes,
    runRows(calls, first, end, scratch) {
      const firstChannel = first * PANEL_CHANNELS;
      const endChannel = Math.min(n, end * PANEL_CHANNELS);
      const whole = firstChannel === 0 && endChannel === n;
      multiply(
        calls,
        firstChannel,
        whole ? layer : channelsLayer(memory, layer, firstChannel, endChannel, scratch),
        scratch + LAYER_BLOCK_BYTES,
      );
    },
  };
}
