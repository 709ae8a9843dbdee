/**
 * The dataflow of a subgraph, checked at load before anything is prepared: every tensor an
 * operator reads is a constant, a variable, a subgraph input or the output of an earlier
 * operator (which also rules out cycles); no operator writes a subgraph input, a constant or a
 * tensor another operator writes; every subgraph output is an input or written by an operator.
 * No subgraph input is a constant: the caller fills inputs. A violation is a `ModelFormatError`
 * naming the operator and the tensor.
 */
import { elementCount } from "../format/dtype.ts";
import { ModelFormatError } from "../format/errors.ts";
import type { Subgraph } from "../format/ir.ts";

/**
 * Checks `subgraph`'s dataflow (see the module comment).
 * @param where how errors name the subgraph (`subgraph 1, `, or empty for a lone subgraph)
 */
export function checkDataflow(subgraph: Subgraph, where: string): void {
  const { tensors, operators } = subgraph;
  const name = (index: number) => `tensor ${index} "${tensors[index].name}"`;
  const isConstant = (index: number) => !tensors[index].isVariable && tensors[index].data !== null;
  // A constant without elements has an empty buffer, which the file stores as none.
  const isEmpty = (index: number) => elementCount(tensors[index].shape) === 0;
  const inputs = new Set(subgraph.inputs);
  const graph = where ? "subgraph" : "model";
  subgraph.inputs.forEach((index, position) => {
    if (isConstant(index)) {
      throw new ModelFormatError(
        `${where}input ${position} ${name(index)}`,
        `is a constant; a ${graph} input is filled by the caller`,
      );
    }
  });
  const writer = new Map<number, number>();
  operators.forEach((operator, operatorIndex) => {
    const label = `${where}operator ${operatorIndex} ${operator.op}`;
    const fail = (problem: string): never => {
      throw new ModelFormatError(label, problem);
    };
    operator.inputs.forEach((index, position) => {
      if (index < 0 || isConstant(index) || tensors[index].isVariable || inputs.has(index)) return;
      if (writer.has(index)) return;
      const later = operators.findIndex((other, at) =>
        at >= operatorIndex && other.outputs.includes(index)
      );
      if (later >= 0 || !isEmpty(index)) {
        fail(
          `input ${position} ${name(index)} is read before any operator writes it` +
            (later >= 0
              ? ` (operator ${later} writes it${later === operatorIndex ? ": a cycle" : ""})`
              : ""),
        );
      }
    });
    operator.outputs.forEach((index, position) => {
      const role = `output ${position} ${name(index)}`;
      if (inputs.has(index)) fail(`${role} is an input of the ${graph}`);
      if (isConstant(index)) fail(`${role} is a constant`);
      const earlier = writer.get(index);
      if (earlier !== undefined) {
        fail(
          `${role} is also written by ${
            earlier === operatorIndex ? "another output of this operator" : `operator ${earlier}`
          }`,
        );
      }
      writer.set(index, operatorIndex);
    });
  });
  subgraph.outputs.forEach((index, position) => {
    if (inputs.has(index) || writer.has(index)) return;
    const what = isConstant(index) ? "is a constant" : "is written by no operator";
    throw new ModelFormatError(
      `${where}output ${position} ${name(index)}`,
      `${what}; a ${graph} output must be computed`,
    );
  });
}
