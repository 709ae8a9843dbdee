/** What `quantize` takes and what it reports back. */
import type { NpyArray } from "../io/npy.ts";
import type { KernelSources } from "../runtime/wasm.ts";
import type { ClipRange } from "./debug/histogram.ts";

/**
 * The four post-training quantizations TensorFlow's converter offers: `float16` (float16
 * weights), `dynamicRange` (int8 weights, float activations), `int8` (int8 weights and
 * activations) and `int16x8` (int8 weights, int16 activations).
 */
export type QuantizeMode = "float16" | "dynamicRange" | "int8" | "int16x8";

/**
 * One calibration sample: the float values of the model's input in C order (as many as its
 * shape holds, batch of 1 included), or one such array per input in order.
 */
export type Sample = ArrayLike<number> | ArrayLike<number>[];

/**
 * Where the automatic fallback measures its goal (`QuantizeOptions.fallbackArithmetic`): in
 * TensorFlow Lite's reference kernels, in XNNPACK's arithmetic (LiteRT.js, TensorFlow's default
 * interpreter), or in both, the goal then holding in each.
 */
export const FALLBACK_ARITHMETICS = ["both", "reference", "xnnpack"] as const;

/** One of `FALLBACK_ARITHMETICS`. */
export type FallbackArithmetic = typeof FALLBACK_ARITHMETICS[number];

/** The calibration methods (`QuantizeOptions.calibration`). */
export const CALIBRATION_METHODS = ["minmax", "percentile", "mse", "entropy", "auto"] as const;

/** A calibration method (`QuantizeOptions.calibration`). */
export type CalibrationMethod = NonNullable<QuantizeOptions["calibration"]>;

/** Options of `quantize`. */
export interface QuantizeOptions {
  /** The quantization to apply. */
  mode: QuantizeMode;
  /** Calibration samples (required for `int8` and `int16x8`, refused otherwise). */
  representativeDataset?: Iterable<Sample> | AsyncIterable<Sample>;
  /**
   * How full integer quantization chooses each activation's range from calibration: `minmax`
   * the observed extremes (TensorFlow's choice and files, the default), `percentile` clips the
   * outliers beyond `percentile`, `mse` takes the range of least squared quantization error,
   * `entropy` the one of least KL divergence (as TensorRT), `auto` whichever of those gives the
   * float model's outputs best on the calibration samples (and, as a further candidate, each
   * activation's range chosen by the error it causes in the outputs of the ops that read it),
   * `minmax` unless another is better there with any one of those samples left out.
   */
  calibration?: "minmax" | "percentile" | "mse" | "entropy" | "auto";
  /**
   * For `calibration: "percentile"` (and the percentile candidate of `auto`): the percentage of
   * values kept inside the range at each end, above 50 and at most 100 (default 99.99).
   */
  percentile?: number;
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
  /** The kernels calibration runs on, as `InterpreterOptions.wasm` (the embedded ones if unset). */
  wasm?: KernelSources;
  /** Op types (`CONV_2D`) or tensor names that stay float. */
  denylist?: string[];
  /**
   * Shapes of the model inputs to calibrate with, in input order: needed for inputs whose shape
   * is dynamic (-1 in their shape signature, as `[-1, -1]`), which the samples then fill.
   */
  inputShapes?: number[][];
  /** Called after each calibration sample with the number done so far. */
  onProgress?: (done: number) => void;
  /**
   * Threads calibration runs the float model on, and `auto` its measurements (the interpreter's
   * `threads`; default 1): once the samples have run for half a second, whole samples on workers
   * of their own (see the README's threads section). The file written is the same on any count.
   */
  threads?: number | "auto";
  /**
   * Automatic fallback (int8 and int16x8): the top-1 points the quantized model may lose against
   * the float model on `evaluation` (which then needs `labels`). When it loses more, the layers
   * that cost most are left float, one at a time, until it loses no more (`report.fallback`).
   */
  accuracyBudget?: number;
  /**
   * Automatic fallback (int8 and int16x8): the SQNR in dB each model output must keep against
   * the float model's, on `evaluation` (or, without it, on the first 100 calibration samples).
   * When an output has less, the layers that cost most are left float until every one has it.
   */
  minSqnr?: number;
  /**
   * The integer arithmetic the automatic fallback measures the quantized model in: `both`
   * (default; the goal must hold in TensorFlow Lite's reference kernels and in XNNPACK's, which
   * LiteRT.js and TensorFlow's default interpreter run, as `InterpreterOptions.arithmetic`
   * computes them), `reference` or `xnnpack`.
   */
  fallbackArithmetic?: "both" | "reference" | "xnnpack";
  /**
   * The samples the automatic fallback measures on (`accuracyBudget`, `minSqnr`): stacked
   * samples, one array per model input, as `runSamples` takes them, and for `accuracyBudget`
   * one integer class per sample (top-1 on output 0).
   */
  evaluation?: { data: NpyArray[]; labels?: NpyArray };
  /**
   * Report, for every calibrated activation, the range each calibration method would give it
   * and the range used (`report.ranges`), as `liteq convert --html` draws them (full integer
   * modes; calibration then also keeps each activation's histogram).
   */
  reportRanges?: boolean;
}

/** One operator in the report: its index in the input model, its op, what happened to it. */
export interface ReportEntry {
  /** The operator's index in its subgraph's `operators` in the input model. */
  operator: number;
  /** The operator's subgraph, when not the main one (0). */
  subgraph?: number;
  /** The operator's op (`CONV_2D`), as in `Operator.op`. */
  op: string;
  /**
   * For a quantized op, what it became (`int8`, `int8 weights (hybrid)`, `float16 constants`);
   * for an op left float, why (`denylisted`, `no integer kernel for ...`).
   */
  detail: string;
}

/** What a quantization did: the ops quantized, those left float and why, and notes. */
export interface QuantizeReport {
  /** The mode that was asked for (`QuantizeOptions.mode`). */
  mode: QuantizeMode;
  /** The operators that were quantized, in model order. */
  quantized: ReportEntry[];
  /** The operators that stayed float, each with the reason. */
  float: ReportEntry[];
  /** Calibration samples used (full integer modes). */
  samples: number;
  /**
   * What else was done to the model as a whole: float16 constants widened to float32, subgraphs
   * left float (the bodies of control flow), ...
   */
  notes: string[];
  /**
   * What the automatic fallback did (`accuracyBudget`, `minSqnr`): the goal, the measure before
   * and after, and each layer it kept float with what that layer buys (the measure with the
   * other kept layers float, minus the measure with this one integer too).
   */
  fallback?: {
    /** `accuracyBudget` (top-1 points lost at most) or `minSqnr` (dB at every output). */
    goal: "accuracyBudget" | "minSqnr";
    /** The goal's value. */
    target: number;
    /** How many samples the measure is taken on. */
    samples: number;
    /** The float model's top-1 on them (`accuracyBudget`), else null. */
    floatTop1: number | null;
    /**
     * The measure with no layer kept float: top-1 (0 to 1) or the lowest output SQNR (dB), the
     * lowest over the arithmetics measured.
     */
    before: number;
    /** The measure of the model returned (the lowest over the arithmetics measured). */
    after: number;
    /** The measures in each arithmetic measured (`fallbackArithmetic`), in that order. */
    arithmetics: {
      /** `reference` (TensorFlow Lite's reference kernels) or `xnnpack`. */
      arithmetic: "reference" | "xnnpack";
      /** The measure with no layer kept float in this arithmetic. */
      before: number;
      /** The measure of the model returned in this arithmetic. */
      after: number;
    }[];
    /** The layers kept float, in operator order. */
    layers: {
      /** The operator's index in its subgraph's `operators` in the input model. */
      operator: number;
      /** Its op (`MEAN`). */
      op: string;
      /** The float model's name for its (first) output. */
      tensor: string;
      /** What keeping it float buys: top-1 points, or dB at the lowest output. */
      bought: number;
    }[];
  };
  /**
   * With `reportRanges`: for each calibrated activation (by tensor name), the range each
   * calibration method gives it (`minmax`, `percentile`, `mse`, `entropy`) and the one used
   * (`used`: the method asked for, or `auto`'s choice).
   */
  ranges?: Record<string, ClipRange[]>;
}
