/**
 * Dynamic-range quantization, as TensorFlow's converter does it: the weights of CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED, BATCH_MATMUL and UNIDIRECTIONAL_SEQUENCE_LSTM become int8,
 * symmetric, per output channel for convolutions and fully connected layers (axis 0; depthwise
 * axis 3), when they have at least `minWeightElements` values. Activations stay float32: hybrid
 * kernels quantize them on the fly. The op versions and options are TensorFlow's for hybrid ops:
 * CONV_2D 5, DEPTHWISE_CONV_2D 6, FULLY_CONNECTED 12 with asymmetric input quantization. An
 * LSTM's weights (peepholes and projection included) become int8 all together or not at all,
 * since its hybrid kernel takes no mixture: all when any of them reaches `minWeightElements`.
 */
import { elementCount } from "../format/dtype.ts";
import type { Model, Operator } from "../format/ir.ts";
import type { PlainObject } from "../format/plain.ts";
import { describeOperator, isFloatConstant, symmetricQuantization } from "./graph.ts";
import type { QuantizeOptions, QuantizeReport } from "./options.ts";
import { finiteValues, quantizeWeights } from "./weights.ts";

/** Per op type: which inputs are weights, the per-channel axis, and the hybrid op's version. */
interface HybridSpec {
  weights: number[];
  axis: number | null;
  version: number;
  options?: PlainObject;
  /** Every weight input quantized, or none (LSTM). */
  allOrNothing?: boolean;
}

const HYBRID: Record<string, HybridSpec> = {
  CONV_2D: { weights: [1], axis: 0, version: 5 },
  DEPTHWISE_CONV_2D: { weights: [1], axis: 3, version: 6 },
  FULLY_CONNECTED: {
    weights: [1],
    axis: 0,
    version: 12,
    options: { asymmetricQuantizeInputs: true },
  },
  BATCH_MATMUL: {
    weights: [1],
    axis: null,
    version: 4,
    options: { asymmetricQuantizeInputs: true },
  },
  UNIDIRECTIONAL_SEQUENCE_LSTM: {
    weights: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16],
    axis: null,
    version: 3,
    options: { asymmetricQuantizeInputs: true },
    allOrNothing: true,
  },
};

/** Rewrites `model` (a copy) in place with int8 weights; fills `report`. */
export function quantizeDynamicRange(
  model: Model,
  options: QuantizeOptions,
  report: QuantizeReport,
): void {
  const denied = new Set(options.denylist ?? []);
  const minimum = options.minWeightElements ?? 1024;
  const perChannel = options.perChannel ?? true;
  model.subgraphs.forEach((subgraph, subgraphIndex) => {
    const inSubgraph = subgraphIndex > 0 ? { subgraph: subgraphIndex } : {};
    const done = new Map<number, boolean>();
    subgraph.operators.forEach((operator: Operator, index) => {
      const spec = HYBRID[operator.op];
      if (!spec) return;
      const where = describeOperator(subgraph, index, subgraphIndex);
      const staysFloat = (detail: string) =>
        report.float.push({ operator: index, ...inSubgraph, op: operator.op, detail });
      if (denied.has(operator.op)) {
        staysFloat("denylisted");
        return;
      }
      const input = subgraph.tensors[operator.inputs[0]];
      if (input?.dtype !== "float32") return;
      let quantized = 0;
      let reason = "";
      let smallest = minimum;
      if (spec.allOrNothing) {
        const present = spec.weights.map((position) => operator.inputs[position] ?? -1)
          .filter((tensorIndex) => tensorIndex >= 0).map((tensorIndex) =>
            subgraph.tensors[tensorIndex]
          );
        const unfit = present.find((tensor) => !isFloatConstant(tensor) || denied.has(tensor.name));
        if (unfit) {
          staysFloat(`weights "${unfit.name}" are not a float32 constant that may be quantized`);
          return;
        }
        if (!present.some((tensor) => elementCount(tensor.shape) >= minimum)) {
          staysFloat(`no weights have ${minimum} values`);
          return;
        }
        smallest = 0;
      }
      for (const position of spec.weights) {
        const tensorIndex = operator.inputs[position] ?? -1;
        if (tensorIndex < 0) continue;
        const tensor = subgraph.tensors[tensorIndex];
        if (done.get(tensorIndex)) {
          quantized++;
          continue;
        }
        if (!isFloatConstant(tensor)) {
          reason ||= `weights "${tensor.name}" are not a float32 constant`;
          continue;
        }
        if (denied.has(tensor.name)) {
          reason ||= `weights "${tensor.name}" are denylisted`;
          continue;
        }
        const count = elementCount(tensor.shape);
        if (count < smallest) {
          reason ||= `weights "${tensor.name}" have ${count} values, fewer than ${minimum}`;
          continue;
        }
        const axis = perChannel && spec.axis !== null ? spec.axis : null;
        const weights = quantizeWeights(finiteValues(tensor, where), tensor.shape, axis);
        subgraph.tensors[tensorIndex] = {
          ...tensor,
          dtype: "int8",
          data: weights.data,
          quantization: symmetricQuantization(weights.scale, weights.quantizedDimension),
        };
        done.set(tensorIndex, true);
        quantized++;
      }
      if (quantized === 0) {
        staysFloat(reason);
        return;
      }
      operator.version = Math.max(operator.version, spec.version);
      if (spec.options) operator.options = { ...operator.options, ...spec.options };
      report.quantized.push({
        operator: index,
        ...inSubgraph,
        op: operator.op,
        detail: "int8 weights (hybrid)",
      });
    });
  });
}
