/**
 * `liteq run MODEL --input X.npy[,X2.npy] --output Y.npy [--input-shape 1,1760 ...]
 * [--threads N]`: runs every sample stacked in X (on N threads) and writes the first output
 * stacked to Y, the others to Y.1.npy, Y.2.npy, ...; `--input-shape`, once per input in order,
 * resizes inputs whose shapes are open.
 */
import { encodeNpy, NpyFormatError, parseNpy } from "../io/npy.ts";
import { FileError, readBytes, writeBytesAtomic } from "../io/files.ts";
import { runSamples, SampleError } from "../runtime/samples.ts";
import { parseArguments, parseInputShapes, UsageError } from "./arguments.ts";
import { loadInterpreter, refuseOverwritingInputs, threadsFlag } from "./load.ts";

/** Where output `position` goes: Y itself for the first, `Y.1.npy` and so on for the others. */
export function outputPath(path: string, position: number): string {
  if (position === 0) return path;
  const stem = path.endsWith(".npy") ? path.slice(0, -4) : path;
  return `${stem}.${position}.npy`;
}

/** Runs the `run` command. */
export async function run(argv: string[]): Promise<void> {
  const { positional, flags } = parseArguments(
    argv,
    { input: "string", output: "string", "input-shape": "strings", threads: "string" },
    1,
  );
  if (!flags.input) throw new UsageError("run needs --input X.npy");
  if (!flags.output) throw new UsageError("run needs --output Y.npy");
  const inputShapes = parseInputShapes(flags["input-shape"] ?? []);
  const interpreter = await loadInterpreter(positional[0], {
    inputShapes,
    threads: threadsFlag(flags.threads),
  });
  const inputPaths = flags.input.split(",");
  const outputPaths = interpreter.outputDetails().map((_, position) =>
    outputPath(flags.output!, position)
  );
  await refuseOverwritingInputs(outputPaths, [positional[0], ...inputPaths]);
  const inputs = await Promise.all(
    inputPaths.map(async (path) => {
      try {
        return parseNpy(await readBytes(path));
      } catch (error) {
        if (error instanceof NpyFormatError) throw new FileError(path, error.message);
        throw error;
      }
    }),
  );
  let outputs;
  try {
    outputs = runSamples(interpreter, inputs);
  } catch (error) {
    if (error instanceof SampleError) throw new FileError(flags.input, error.message);
    throw error;
  }
  const encoded = outputs.map((output) => encodeNpy(output));
  for (const [position, bytes] of encoded.entries()) {
    await writeBytesAtomic(outputPaths[position], bytes);
  }
  const samples = inputs[0].shape[0];
  const written = outputs.map((output, position) =>
    `${outputPaths[position]} ${output.dtype} [${output.shape}]`
  );
  console.log(`ran ${samples} sample${samples === 1 ? "" : "s"}: ${written.join(", ")}`);
}
