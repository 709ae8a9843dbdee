/** Running one signature of a model (a named entry point) by its input and output names. */
import type { DType } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import type { KernelMemory } from "./memory.ts";
import type { OutputArrays } from "./output_arrays.ts";
import type { PreparedSubgraph } from "./subgraph.ts";
import type { RuntimeTensor } from "./tensor.ts";
import {
  detailsOf,
  type InputValues,
  type OutputValues,
  readOutput,
  readStringBytes,
  readTensor,
  type TensorDetails,
  writeTensor,
} from "./tensor_io.ts";

/** Runs one signature (a named entry point) by its input and output names. */
export class SignatureRunner {
  /** @internal */
  constructor(
    private readonly memory: KernelMemory,
    private readonly subgraph: PreparedSubgraph,
    private readonly model: Model,
    private readonly subgraphIndex: number,
    private readonly inputNames: Map<string, RuntimeTensor>,
    private readonly outputNames: Map<string, RuntimeTensor>,
  ) {}

  /** The signature's inputs, named as the signature names them. */
  inputDetails(): TensorDetails[] {
    return [...this.inputNames].map(([name, tensor]) =>
      detailsOf(this.model, this.subgraphIndex, tensor, name)
    );
  }

  /** The signature's outputs, named as the signature names them. */
  outputDetails(): TensorDetails[] {
    return [...this.outputNames].map(([name, tensor]) =>
      detailsOf(this.model, this.subgraphIndex, tensor, name)
    );
  }

  /**
   * Sets every input by name, invokes, and returns every output by name (string outputs as
   * strings, decoded from UTF-8).
   */
  run(inputs: Record<string, InputValues>): Record<string, OutputValues> {
    for (const name of this.inputNames.keys()) {
      if (!(name in inputs)) throw new RangeError(`signature input "${name}" is missing`);
    }
    this.subgraph.wakeThreads();
    for (const [name, values] of Object.entries(inputs)) {
      const tensor = this.inputNames.get(name);
      if (!tensor) {
        throw new RangeError(
          `no signature input "${name}"; they are ${[...this.inputNames.keys()]}`,
        );
      }
      writeTensor(this.memory, tensor, values, "input");
    }
    this.subgraph.invoke();
    return Object.fromEntries(
      [...this.outputNames].map(([name, tensor]) => [name, readTensor(this.memory, tensor)]),
    );
  }

  /** A copy of output `name` after `run` (a string output's strings, decoded from UTF-8). */
  output(name: string): OutputValues;
  /** Output `name` after `run` as `dtype`'s typed array; a TypeError if it holds another dtype. */
  output<D extends keyof OutputArrays>(name: string, dtype: D): OutputArrays[D];
  output(name: string, dtype?: DType): OutputValues {
    return readOutput(this.memory, this.outputNamed(name), dtype);
  }

  /** String output `name` after `run` as byte strings; a TypeError if it is not string. */
  outputStringBytes(name: string): Uint8Array[] {
    return readStringBytes(this.outputNamed(name));
  }

  /** The output tensor the signature names `name`; a RangeError naming the others if none. */
  private outputNamed(name: string): RuntimeTensor {
    const tensor = this.outputNames.get(name);
    if (!tensor) {
      throw new RangeError(
        `no signature output "${name}"; they are ${[...this.outputNames.keys()]}`,
      );
    }
    return tensor;
  }
}
