/** Editing a model's IR: copies, new tensors, operators and parameters, producers and readers. */
import type { DType } from "../format/dtype.ts";
import type { Model, Operator, Quantization, Subgraph, Tensor } from "../format/ir.ts";

/** A deep copy of a model whose constants can be replaced without touching the original. */
export function cloneModel(model: Model): Model {
  return structuredClone(model);
}

/** Appends an activation tensor (no constant data) and returns its index. */
export function addTensor(
  subgraph: Subgraph,
  name: string,
  dtype: DType,
  like: Tensor,
  quantization: Quantization | null,
): number {
  subgraph.tensors.push({
    name,
    dtype,
    shape: [...like.shape],
    shapeSignature: like.shapeSignature ? [...like.shapeSignature] : null,
    buffer: 0,
    data: null,
    quantization,
    isVariable: false,
    hasRank: like.hasRank,
    sparsity: null,
    variantTensors: [],
    externalBuffer: 0,
  });
  return subgraph.tensors.length - 1;
}

/**
 * `base`, or when a tensor of `subgraph` has that name, `base` followed by the smallest number
 * from 1 that none has: how TensorFlow's converter keeps the names of the tensors it adds unique.
 */
export function uniqueTensorName(subgraph: Subgraph, base: string): string {
  const taken = new Set(subgraph.tensors.map((tensor) => tensor.name));
  let name = base;
  for (let suffix = 1; taken.has(name); suffix++) name = `${base}${suffix}`;
  return name;
}

/** A builtin operator without options. */
export function plainOperator(
  op: string,
  version: number,
  inputs: number[],
  outputs: number[],
): Operator {
  return {
    op,
    custom: false,
    version,
    inputs,
    outputs,
    optionsType: null,
    options: null,
    customOptions: null,
    customOptionsFormat: "FLEXBUFFERS",
    mutatingVariableInputs: [],
    intermediates: [],
    debugMetadataIndex: -1,
  };
}

/** Linear quantization parameters, per tensor or along `quantizedDimension`. */
export function quantization(
  scale: number[],
  zeroPoint: number[],
  quantizedDimension = 0,
): Quantization {
  return { scale, zeroPoint, quantizedDimension, min: [], max: [], details: null };
}

/** Symmetric parameters (every zero point 0), per tensor or along `quantizedDimension`. */
export function symmetricQuantization(scale: number[], quantizedDimension = 0): Quantization {
  return quantization(scale, scale.map(() => 0), quantizedDimension);
}

/** Whether a tensor is a float activation: float32, computed (no constant data), not a variable. */
export function isFloatActivation(tensor: Tensor): boolean {
  return tensor.dtype === "float32" && tensor.data === null && !tensor.isVariable;
}

/** Whether a tensor is a float32 constant (it holds data). */
export function isFloatConstant(tensor: Tensor): boolean {
  return tensor.dtype === "float32" && tensor.data !== null;
}

/** The index of the operator that writes each tensor, by tensor index. */
export function producersOf(subgraph: Subgraph): Map<number, number> {
  const producers = new Map<number, number>();
  subgraph.operators.forEach((operator, index) => {
    for (const output of operator.outputs) producers.set(output, index);
  });
  return producers;
}

/** For each tensor, the operators (by index) that read it. */
export function readersOf(subgraph: Subgraph): Map<number, number[]> {
  const readers = new Map<number, number[]>();
  subgraph.operators.forEach((operator, index) => {
    for (const input of new Set(operator.inputs)) {
      if (input < 0) continue;
      const list = readers.get(input) ?? [];
      list.push(index);
      readers.set(input, list);
    }
  });
  return readers;
}

/** The subgraphs an operator runs (IF's branches, WHILE's condition and body, CALL_ONCE's, ...). */
export function calledSubgraphs(operator: Operator): number[] {
  return Object.entries(operator.options ?? {}).flatMap(([key, value]) =>
    (key.endsWith("SubgraphIndex") || (operator.op === "CALL" && key === "subgraph")) &&
      typeof value === "number"
      ? [value]
      : []
  );
}

/** How an operator is named in messages: `operator 4 CONV_2D`. */
export function describeOperator(subgraph: Subgraph, index: number, subgraphIndex = 0): string {
  const prefix = subgraphIndex > 0 ? `subgraph ${subgraphIndex}, ` : "";
  const operator = subgraph.operators[index];
  const output = operator.outputs[0] >= 0 ? subgraph.tensors[operator.outputs[0]]?.name : "";
  return `${prefix}operator ${index} ${operator.op}${output ? ` ("${output}")` : ""}`;
}

/**
 * Drops the tensors no operator, subgraph input/output or signature refers to any more, and the
 * buffers no tensor or metadata entry refers to, renumbering what remains.
 */
export function pruneModel(model: Model): void {
  const usedBuffers = new Set<number>([0, ...model.metadata.map((entry) => entry.buffer)]);
  model.subgraphs.forEach((subgraph, subgraphIndex) => {
    const used = new Set<number>([...subgraph.inputs, ...subgraph.outputs]);
    for (const operator of subgraph.operators) {
      for (const index of [...operator.inputs, ...operator.outputs, ...operator.intermediates]) {
        if (index >= 0) used.add(index);
      }
    }
    for (const signature of model.signatures) {
      if (signature.subgraphIndex !== subgraphIndex) continue;
      for (const entry of [...signature.inputs, ...signature.outputs]) used.add(entry.tensorIndex);
    }
    const renumber = new Map<number, number>();
    subgraph.tensors = subgraph.tensors.filter((_, index) => {
      if (!used.has(index)) return false;
      renumber.set(index, renumber.size);
      return true;
    });
    const map = (index: number) => (index < 0 ? index : renumber.get(index)!);
    subgraph.inputs = subgraph.inputs.map(map);
    subgraph.outputs = subgraph.outputs.map(map);
    for (const operator of subgraph.operators) {
      operator.inputs = operator.inputs.map(map);
      operator.outputs = operator.outputs.map(map);
      operator.intermediates = operator.intermediates.map(map);
    }
    for (const signature of model.signatures) {
      if (signature.subgraphIndex !== subgraphIndex) continue;
      for (const entry of [...signature.inputs, ...signature.outputs]) {
        entry.tensorIndex = map(entry.tensorIndex);
      }
    }
    for (const tensor of subgraph.tensors) usedBuffers.add(tensor.buffer);
  });
  const bufferIndex = new Map<number, number>();
  model.buffers = model.buffers.filter((_, index) => {
    if (!usedBuffers.has(index)) return false;
    bufferIndex.set(index, bufferIndex.size);
    return true;
  });
  for (const subgraph of model.subgraphs) {
    for (const tensor of subgraph.tensors) tensor.buffer = bufferIndex.get(tensor.buffer)!;
  }
  for (const entry of model.metadata) entry.buffer = bufferIndex.get(entry.buffer)!;
  model.metadataBuffer = model.metadataBuffer.filter((index) => bufferIndex.has(index))
    .map((index) => bufferIndex.get(index)!);
}
