/** UNIDIRECTIONAL_SEQUENCE_LSTM: the one place that chooses its float32, hybrid or integer path. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { checkLstmOperands } from "./lstm_operands.ts";
import { floatUnidirectionalSequenceLstm } from "./lstm_float.ts";
import { hybridUnidirectionalSequenceLstm } from "./lstm_hybrid.ts";
import { integerUnidirectionalSequenceLstm } from "./lstm_integer.ts";

/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM: full integer for an int8 input, hybrid when a float input meets
 * int8 forget-gate weights (always present), float32 otherwise. An int16 input (TensorFlow Lite
 * Micro's 16x8 form, which TFLite's kernel does not run) is refused.
 */
export function unidirectionalSequenceLstm(context: OpContext): PreparedOp {
  checkLstmOperands(context);
  if (context.inputs[0]?.dtype === "int8") return integerUnidirectionalSequenceLstm(context);
  if (context.inputs[0]?.dtype === "int16") {
    context.unsupported(
      "int16 activations (TensorFlow Lite Micro's 16x8 LSTM) have no form in TensorFlow Lite's " +
        "kernel, which liteq follows: it runs int8, hybrid and float32 LSTMs",
    );
  }
  switch (context.inputs[2]?.dtype) {
    case "int8":
      return hybridUnidirectionalSequenceLstm(context);
    default:
      return floatUnidirectionalSequenceLstm(context);
  }
}
