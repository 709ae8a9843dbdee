/**
 * DEPTH_TO_SPACE, SPACE_TO_DEPTH, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on NHWC: separable
 * copies, and SPACE_TO_BATCH_ND's rows of pixels.
 */
import { elementCount, typedArrayOver } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { copiedInput, imageShape, separableCopy } from "./movement_common.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/**
 * DEPTH_TO_SPACE (DCR order, as TFLite): output[b][y][x][c] =
 * input[b][y / block][x / block][((y % block) * block + x % block) * C + c], C = depth / block^2.
 */
export function depthToSpace(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const [batches, height, width, depth] = imageShape(context, input);
  const block = Number(context.options.blockSize ?? 0);
  if (!(block >= 1) || depth % (block * block) !== 0) {
    context.unsupported(`block size ${block} does not divide depth ${depth} into squares`);
  }
  const channels = depth / (block * block);
  output.shape = [batches, height * block, width * block, channels];
  return separableCopy(context, input, output, [
    (b) => b * height * width * depth,
    (y) => Math.floor(y / block) * width * depth + (y % block) * block * channels,
    (x) => Math.floor(x / block) * depth + (x % block) * channels,
    (c) => c,
  ]);
}

/** SPACE_TO_DEPTH, DEPTH_TO_SPACE's inverse. */
export function spaceToDepth(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const [batches, height, width, depth] = imageShape(context, input);
  const block = Number(context.options.blockSize ?? 0);
  if (!(block >= 1) || height % block !== 0 || width % block !== 0) {
    context.unsupported(`block size ${block} does not divide ${height}x${width}`);
  }
  output.shape = [batches, height / block, width / block, depth * block * block];
  return separableCopy(context, input, output, [
    (b) => b * height * width * depth,
    (y) => y * block * width * depth,
    (x) => x * block * depth,
    (c) => {
      const offset = Math.floor(c / depth);
      return (Math.floor(offset / block) * width + (offset % block)) * depth + (c % depth);
    },
  ]);
}

/** The constant block shape (input 1) and [rank - 2, 2] paddings or crops (input 2) of a 4D op. */
function spatialBlocks(context: OpContext, input: RuntimeTensor, role: string) {
  const [batches, height, width, depth] = imageShape(context, input);
  const block = context.integers(context.input(1), "block shape");
  const amounts = context.integers(context.input(2), role);
  if (block.length !== 2 || block.some((size) => size < 1) || amounts.length !== 4) {
    context.unsupported(
      `block shape [${block}] and ${role} [${amounts}] must cover height and width`,
    );
  }
  return { batches, height, width, depth, block, amounts };
}

/**
 * SPACE_TO_BATCH_ND on NHWC: the zero-padded image cut into block-sized steps, each offset
 * (by, bx) a batch of its own: output batch (by * blockW + bx) * N + n.
 */
export function spaceToBatchNd(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const { batches, height, width, depth, block, amounts } = spatialBlocks(
    context,
    input,
    "paddings",
  );
  const [blockH, blockW] = block;
  const [top, bottom, left, right] = amounts;
  const paddedH = height + top + bottom;
  const paddedW = width + left + right;
  if (paddedH % blockH !== 0 || paddedW % blockW !== 0) {
    context.unsupported(`padded ${paddedH}x${paddedW} is not a multiple of the block [${block}]`);
  }
  output.shape = [batches * blockH * blockW, paddedH / blockH, paddedW / blockW, depth];
  const [outBatches, outH, outW] = output.shape;
  // Padding holds zero: a quantized tensor's zero is its zero point.
  const fill = typedArrayOver(input.dtype, new ArrayBuffer(8), 0, 1)!;
  if (!(fill instanceof BigInt64Array || fill instanceof BigUint64Array)) {
    fill[0] = input.quantization?.zeroPoint[0] ?? 0;
  }
  const memory = context.memory;
  const inputCount = elementCount(input.shape);
  const outputCount = elementCount(output.shape);
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, inputCount);
      const target = memory.view(output.dtype, output.offset, outputCount);
      let at = 0;
      for (let outBatch = 0; outBatch < outBatches; outBatch++) {
        const n = outBatch % batches;
        const offset = Math.floor(outBatch / batches);
        for (let y = 0; y < outH; y++) {
          const sourceY = y * blockH + Math.floor(offset / blockW) - top;
          for (let x = 0; x < outW; x++, at += depth) {
            const sourceX = x * blockW + (offset % blockW) - left;
            if (sourceY < 0 || sourceY >= height || sourceX < 0 || sourceX >= width) {
              target.fill(fill[0] as never, at, at + depth);
            } else {
              const from = ((n * height + sourceY) * width + sourceX) * depth;
              target.set(source.subarray(from, from + depth) as never, at);
            }
          }
        }
      }
    },
  };
}

/** BATCH_TO_SPACE_ND on NHWC, SPACE_TO_BATCH_ND's inverse, then cropped. */
export function batchToSpaceNd(context: OpContext): PreparedOp {
  const [input, output] = copiedInput(context);
  const { batches, height, width, depth, block, amounts } = spatialBlocks(context, input, "crops");
  const [blockH, blockW] = block;
  const [top, bottom, left, right] = amounts;
  if (amounts.some((amount) => amount < 0)) {
    context.unsupported(`crops [${amounts}] must not be negative`);
  }
  if (batches % (blockH * blockW) !== 0) {
    context.unsupported(`${batches} batches do not split into blocks of [${block}]`);
  }
  const outBatches = batches / (blockH * blockW);
  const outH = height * blockH - top - bottom;
  const outW = width * blockW - left - right;
  if (outH < 0 || outW < 0) context.unsupported(`crops [${amounts}] exceed the image`);
  output.shape = [outBatches, outH, outW, depth];
  // Input batch ((y + top) % blockH * blockW + (x + left) % blockW) * outBatches + n holds pixel
  // (y + top) / blockH, (x + left) / blockW of output image n.
  const image = height * width * depth;
  return separableCopy(context, input, output, [
    (n) => n * image,
    (y) =>
      ((y + top) % blockH) * blockW * outBatches * image +
      Math.floor((y + top) / blockH) * width * depth,
    (x) => ((x + left) % blockW) * outBatches * image + Math.floor((x + left) / blockW) * depth,
    (c) => c,
  ]);
}
