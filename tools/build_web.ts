/**
 * Builds the "quantize in your browser" page into `dist/web/` (`deno task build:web`), static
 * files to serve as they are: `web/index.html` and `web/app.js`; `worker.js`, `web/worker.ts`
 * bundled with liteq for browsers (`bundleForBrowser`); the bundled MNIST model
 * (`data/seed_mnist.float.tflite`); and MNIST samples from the committed test set as `.npy`:
 * 100 calibration images (the first ones) and 300 labelled test images (from 9,000 on).
 */
import { encodeNpy } from "../mod.ts";
import { parseIdx } from "../src/io/idx.ts";
import { bundleForBrowser } from "./build_browser.ts";

const root = new URL("../", import.meta.url).pathname;
const out = "dist/web/";

/** `count` MNIST test images from `first` on, as float32 in [0, 1] ([count, 28, 28]). */
async function mnist(
  first: number,
  count: number,
): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  const read = async (name: string) => parseIdx(await Deno.readFile(`${root}data/mnist/${name}`));
  const images = await read("t10k-images-idx3-ubyte.gz");
  const labels = await read("t10k-labels-idx1-ubyte.gz");
  const pixels = images.data.subarray(first * 784, (first + count) * 784);
  return {
    images: encodeNpy({
      dtype: "float32",
      shape: [count, 28, 28],
      data: Float32Array.from(pixels, (value) => value / 255),
    }),
    labels: encodeNpy({
      dtype: "uint8",
      shape: [count],
      data: labels.data.slice(first, first + count),
    }),
  };
}

await Deno.remove(`${root}${out}`, { recursive: true }).catch(() => {});
await Deno.mkdir(`${root}${out}`, { recursive: true });
const problems = await bundleForBrowser("web/worker.ts", `${out}worker.js`);
if (problems.length > 0) {
  console.error(
    `build:web: ${out}worker.js would not run in a browser:\n  ${problems.join("\n  ")}`,
  );
  Deno.exit(1);
}
for (const file of ["index.html", "app.js"]) {
  await Deno.copyFile(`${root}web/${file}`, `${root}${out}${file}`);
}
await Deno.copyFile(`${root}data/seed_mnist.float.tflite`, `${root}${out}seed_mnist.float.tflite`);
const calibration = await mnist(0, 100);
const test = await mnist(9000, 300);
await Deno.writeFile(`${root}${out}mnist_calibration.npy`, calibration.images);
await Deno.writeFile(`${root}${out}mnist_test.npy`, test.images);
await Deno.writeFile(`${root}${out}mnist_test_labels.npy`, test.labels);
console.log(`build:web: ${out} (serve it as static files)`);
