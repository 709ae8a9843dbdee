/** The arrays that the interpreter's outputs are read into, by dtype. */

/**
 * The array holding an output of each dtype, for `output(which, dtype)`: the dtype named
 * there types the array returned, so callers need no cast (float16 comes as raw bits).
 */
export interface OutputArrays {
  /** 32-bit floats. */
  float32: Float32Array;
  /** 64-bit floats. */
  float64: Float64Array;
  /** IEEE half floats, as their bit patterns. */
  float16: Uint16Array;
  /** Signed bytes (int8-quantized outputs). */
  int8: Int8Array;
  /** Unsigned bytes (uint8-quantized outputs). */
  uint8: Uint8Array;
  /** Booleans, one byte each (0 or 1). */
  bool: Uint8Array;
  /** 16-bit integers (int16x8 models). */
  int16: Int16Array;
  /** Unsigned 16-bit integers. */
  uint16: Uint16Array;
  /** 32-bit integers (indices, ARG_MAX). */
  int32: Int32Array;
  /** Unsigned 32-bit integers. */
  uint32: Uint32Array;
  /** 64-bit integers. */
  int64: BigInt64Array;
  /** Unsigned 64-bit integers. */
  uint64: BigUint64Array;
  /** Strings, decoded from UTF-8. */
  string: string[];
}
