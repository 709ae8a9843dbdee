/**
 * The 100 MNIST calibration images TensorFlow's int8 conversions of the fixture models used, as
 * liteq samples for each model: 28x28 for `seed_mnist` and `mobile_mnist`, padded to 32x32 and
 * repeated on 3 channels (the shared mnist32rgb set) for `seed_cifar_arch`.
 */
import { parseNpy } from "../../mod.ts";
import { FIXTURES, readBytesSync } from "../helpers.ts";

/** The 100 calibration images TensorFlow used, as 28x28 samples. */
export const MNIST: Float32Array[] = (() => {
  const images = parseNpy(readBytesSync(`${FIXTURES}/data/mnist_calib_x.npy`));
  return Array.from(
    { length: 100 },
    (_, index) => (images.data as Float32Array).slice(index * 784, (index + 1) * 784),
  );
})();

/** The same images padded to 32x32 and repeated on 3 channels (the shared mnist32rgb set). */
export const MNIST32RGB: Float32Array[] = MNIST.map((image) => {
  const padded = new Float32Array(32 * 32 * 3);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      padded.fill(image[y * 28 + x], ((y + 2) * 32 + x + 2) * 3, ((y + 2) * 32 + x + 3) * 3);
    }
  }
  return padded;
});

/** Each fixture model's calibration samples, by model name. */
export const CALIBRATION: Record<string, Float32Array[]> = {
  seed_mnist: MNIST,
  mobile_mnist: MNIST,
  seed_cifar_arch: MNIST32RGB,
};
