/**
 * Reading and writing models: MobileNet V1 float (16.9 MB, from ../shared) and a committed fixture.
 * `deno task bench`.
 */
import { readModel, writeModel } from "../mod.ts";
import { FIXTURES, readBytesSync, SHARED } from "../tests/helpers.ts";

const models: [string, string][] = [[
  "seed_cifar_arch float (495 KB)",
  `${FIXTURES}/models/seed_cifar_arch.float.tflite`,
]];
if (SHARED) {
  models.push(["MobileNet V1 float (16.9 MB)", `${SHARED}/models/mobilenet_v1.float.tflite`]);
} else console.log("skipped: the MobileNet V1 benchmarks need ../shared, which is absent");

for (const [label, path] of models) {
  const bytes = readBytesSync(path);
  const model = readModel(bytes);
  Deno.bench({
    name: `read ${label}`,
    group: label,
    baseline: true,
    fn: () => void readModel(bytes),
  });
  Deno.bench({ name: `write ${label}`, group: label, fn: () => void writeModel(model) });
}
