/** UNIDIRECTIONAL_SEQUENCE_LSTM: the one place that chooses its float32 or hybrid path. */
import type { OpContext, PreparedOp } from "../../op.ts";
import { floatUnidirectionalSequenceLstm } from "./lstm_float.ts";
import { hybridUnidirectionalSequenceLstm } from "./lstm_hybrid.ts";

/** UNIDIRECTIONAL_SEQUENCE_LSTM: hybrid when its forget-gate weights (always present) are int8. */
export function unidirectionalSequenceLstm(context: OpContext): PreparedOp {
  switch (context.inputs[2]?.dtype) {
    case "int8":
      return hybridUnidirectionalSequenceLstm(context);
    default:
      return floatUnidirectionalSequenceLstm(context);
  }
}
