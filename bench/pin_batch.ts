/**
 * Pins a model's dynamic dimensions for LiteRT.js (`litert.ts`), which refuses any -1 in an
 * input's shape signature: the file rewritten by liteq's reader and writer with batch 1.
 */
import { readModel } from "../src/format/reader.ts";
import { writeModel } from "../src/format/writer.ts";

/** A .tflite file's bytes with every -1 dimension of its tensors pinned to 1 (batch 1). */
export function pinnedBatch(bytes: Uint8Array): Uint8Array {
  const model = readModel(bytes);
  for (const subgraph of model.subgraphs) {
    for (const tensor of subgraph.tensors) {
      tensor.shape = tensor.shape.map((size) => (size < 0 ? 1 : size));
      tensor.shapeSignature = tensor.shapeSignature?.map((size) => (size < 0 ? 1 : size)) ??
        null;
    }
  }
  return writeModel(model);
}
