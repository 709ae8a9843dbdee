/**
 * liteq's own dynamic-range and int8 conversions of the real models in `../shared/realworld`
 * (tools/realworld_conversion.ts: int8 calibrated on fixed synthetic samples) give TensorFlow
 * 2.21's outputs of the same files on the first shared input: float outputs within
 * 1e-4 * max(1, |reference|), integer outputs bit-exact (their first values, and the SHA-256 of
 * the whole output). The references, under tests/fixtures/realworld_conversions/, come from
 * tools/realworld_conversion_check.py (TensorFlow's reference kernels, every file: see the table
 * in the README). Skipped, with the reason printed, when `../shared` is absent.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseNpy } from "../../src/io/npy.ts";
import {
  type ConversionMode,
  convertRealworld,
  type RealworldEntry,
  runConverted,
} from "../../tools/realworld_conversion.ts";
import { FIXTURES, readBytesSync, SHARED } from "../helpers.ts";
import { assertClose } from "./compare.ts";

const REFERENCES = `${FIXTURES}/realworld_conversions`;
const folder = SHARED ? `${SHARED}/realworld` : null;

/** One output of TensorFlow's reference, as the check tool describes it. */
interface ReferenceOutput {
  shape: number[];
  dtype: string;
  /** For integer outputs: the SHA-256 of the whole output's bytes, in hex. */
  sha256?: string;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const manifest: Record<string, RealworldEntry> = folder && existsSync(`${folder}/manifest.json`)
  ? JSON.parse(readFileSync(`${folder}/manifest.json`, "utf8")).models
  : {};
if (Object.keys(manifest).length === 0) {
  console.log("skipped: the real-world conversion tests need ../shared/realworld, which is absent");
}

const stems = readdirSync(REFERENCES).filter((file) => file.endsWith(".json"))
  .map((file) => file.slice(0, -".json".length));

for (const stem of stems) {
  const [name, mode] = [
    stem.slice(0, stem.lastIndexOf(".")),
    stem.slice(stem.lastIndexOf(".") + 1),
  ];
  Deno.test(`liteq's ${mode} conversion of ${name} runs as in TensorFlow`, async () => {
    const entry = manifest[name];
    if (!entry) {
      console.log(`skipped: ${name} is not in ../shared/realworld`);
      return;
    }
    const converted = await convertRealworld(
      readBytesSync(`${folder}/${entry.file}`),
      mode as ConversionMode,
      entry,
    );
    const inputs = parseNpy(readBytesSync(`${folder}/${entry.inputs_file}`));
    const perSample = inputs.data.length / inputs.shape[0];
    const first = {
      ...inputs,
      shape: [1, ...inputs.shape.slice(1)],
      data: inputs.data.slice(0, perSample),
    };
    const outputs = await runConverted(converted, entry, first);
    const described: ReferenceOutput[] =
      JSON.parse(readFileSync(`${REFERENCES}/${stem}.json`, "utf8")).outputs;
    assert.equal(outputs.length, described.length, `${stem}: number of outputs`);
    for (const [position, reference] of described.entries()) {
      const actual = outputs[position];
      const what = `${stem} output ${position}`;
      assert.deepEqual(actual.shape.slice(1), reference.shape.slice(1), `${what}: shape`);
      assert.equal(actual.dtype, reference.dtype, `${what}: dtype`);
      const kept = parseNpy(readBytesSync(`${REFERENCES}/${stem}.${position}.npy`)).data;
      const head = actual.data.slice(0, kept.length);
      if (reference.sha256) {
        assert.deepEqual(
          Array.from(head, Number),
          Array.from(kept, Number),
          `${what}: first values`,
        );
        const bytes = new Uint8Array(
          actual.data.buffer,
          actual.data.byteOffset,
          actual.data.byteLength,
        );
        assert.equal(await sha256(bytes), reference.sha256, `${what}: SHA-256`);
      } else {
        assertClose(head, kept, what);
      }
    }
  });
}
