/** What `quantize` takes and what it reports back. */

/** The four post-training quantizations TensorFlow's converter offers. */
export type QuantizeMode = "float16" | "dynamicRange" | "int8" | "int16x8";

/** One calibration sample: the values of the model's input, or of each input in order. */
export type Sample = ArrayLike<number> | ArrayLike<number>[];

/** Options of `quantize`. */
export interface QuantizeOptions {
  mode: QuantizeMode;
  /** Calibration samples (required for `int8` and `int16x8`, refused otherwise). */
  representativeDataset?: Iterable<Sample> | AsyncIterable<Sample>;
  /** Model input type for full integer modes: float32 (default) keeps a QUANTIZE at the input. */
  inputType?: "float32" | "int8" | "uint8";
  /** Model output type for full integer modes: float32 (default) keeps a DEQUANTIZE. */
  outputType?: "float32" | "int8" | "uint8";
  /** Fail, listing every op that has no integer form, instead of leaving such ops float. */
  int8Only?: boolean;
  /** Per-channel weight scales for convolutions and fully connected layers (default true). */
  perChannel?: boolean;
  /** Dynamic range: weights with fewer elements stay float (default 1024, as TensorFlow). */
  minWeightElements?: number;
  /** Op types (`CONV_2D`) or tensor names that stay float. */
  denylist?: string[];
  /** Called after each calibration sample with the number done so far. */
  onProgress?: (done: number) => void;
}

/** One operator in the report: its index in the input model, its op, what happened to it. */
export interface ReportEntry {
  operator: number;
  op: string;
  detail: string;
}

/** What a quantization did: the ops quantized, those left float and why, and notes. */
export interface QuantizeReport {
  mode: QuantizeMode;
  quantized: ReportEntry[];
  float: ReportEntry[];
  /** Calibration samples used (full integer modes). */
  samples: number;
}
