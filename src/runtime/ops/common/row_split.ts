/**
 * Ops that divide among threads by rows: a `PreparedOp` whose `run` is its `RowSplit` over every
 * row, so that one thread and many make the same kernel calls on each row; and the split of a
 * windowed op (depthwise convolution) by output rows.
 */
import type { KernelMemory } from "../../memory.ts";
import type { KernelCalls, PreparedOp, RowSplit } from "../../op.ts";
import { forEachImage } from "../../threads/split.ts";
import { LAYER_BLOCK_BYTES, windowRowsLayer } from "./window.ts";

/** Rows of the GEMMs' register tile: row splits fall on multiples of it, to keep tiles whole. */
export const GEMM_TILE_ROWS = 4;

/**
 * The work (in GEMM multiply-adds, the unit of the split threshold) of one multiply-add of the
 * depthwise kernels: they run about a sixth of the GEMMs' multiply-adds per second (measured on
 * MobileNet V2 int8: 7-8 G/s against 20-48 G/s for its 1x1 convolutions).
 */
export const WORK_PER_DEPTHWISE_TAP = 4;

/**
 * The work (in GEMM multiply-adds) of one element converted between float32 and int8 (QUANTIZE:
 * 0.8 ns an element in Chromium on MobileNet V2's input, 0.02-0.05 ns a multiply-add in its
 * GEMMs).
 */
export const WORK_PER_CONVERTED_ELEMENT = 16;

/** The prepared op that runs `split` over all its rows (its chunks run on the threads). */
export function rowSplitOp(
  consumedInputs: number[],
  kernels: KernelCalls,
  split: RowSplit,
): PreparedOp {
  return {
    consumedInputs,
    scratchBytes: split.scratchBytes,
    run: (scratch) => split.runRows(kernels, 0, split.rows, scratch),
    split,
  };
}

/**
 * The split of a windowed op over a stack of images by output rows: `callImage` computes, for
 * image `image`, `rowCount` output rows from `firstRow` as the layer block at `block` says (the
 * layer's own for a whole image; a copy narrowed to the rows, in the chunk's scratch, for part of
 * one), with `kernelScratchBytes` bytes of the chunk's scratch at `kernelScratch` for the kernel.
 */
export function windowRowSplit(
  memory: KernelMemory,
  layer: number,
  batches: number,
  outH: number,
  workPerRow: number,
  callImage: (
    calls: KernelCalls,
    image: number,
    firstRow: number,
    block: number,
    rowCount: number,
    kernelScratch: number,
  ) => void,
  kernelScratchBytes = 0,
): RowSplit {
  // A range of rows holds at most two parts of images: its first image's and its last's.
  const blocksBytes = 2 * LAYER_BLOCK_BYTES;
  return {
    rows: batches * outH,
    grain: 1,
    workPerRow,
    scratchBytes: blocksBytes + kernelScratchBytes,
    runRows(calls, first, end, scratch) {
      let copy = scratch;
      forEachImage(first, end, outH, (image, imageFirst, imageEnd) => {
        let block = layer;
        if (imageEnd - imageFirst < outH) {
          block = windowRowsLayer(memory, layer, imageFirst, imageEnd, copy);
          copy += LAYER_BLOCK_BYTES;
        }
        callImage(calls, image, imageFirst, block, imageEnd - imageFirst, scratch + blocksBytes);
      });
    },
  };
}
