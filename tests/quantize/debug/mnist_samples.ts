/** Labelled MNIST samples for the debugger's tests: images 8,000 and up of the committed test set. */
import { encodeNpy, type NpyArray } from "../../../mod.ts";
import { parseIdx } from "../../../src/io/idx.ts";
import { readBytesSync, ROOT } from "../../helpers.ts";

/** `count` evaluation images (float32 in [0, 1], [count, 28, 28]) and their labels (uint8). */
export async function mnistSamples(count: number): Promise<{ data: NpyArray; labels: NpyArray }> {
  const read = (name: string) =>
    parseIdx(readBytesSync(`${ROOT}data/mnist/${name}`) as Uint8Array<ArrayBuffer>);
  const images = await read("t10k-images-idx3-ubyte.gz");
  const labels = await read("t10k-labels-idx1-ubyte.gz");
  const pixels = images.data.subarray(8000 * 784, (8000 + count) * 784);
  return {
    data: {
      dtype: "float32",
      shape: [count, 28, 28],
      data: Float32Array.from(pixels, (v) => v / 255),
    },
    labels: { dtype: "uint8", shape: [count], data: labels.data.slice(8000, 8000 + count) },
  };
}

/** The same samples written as X.npy and Y.npy in `folder`; returns the two paths. */
export async function writeMnistSamples(folder: string, count: number): Promise<[string, string]> {
  const { data, labels } = await mnistSamples(count);
  await Deno.writeFile(`${folder}/x.npy`, encodeNpy(data));
  await Deno.writeFile(`${folder}/y.npy`, encodeNpy(labels));
  return [`${folder}/x.npy`, `${folder}/y.npy`];
}
