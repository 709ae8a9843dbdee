/**
 * TFLite_Detection_PostProcess, the SSD post-processing custom op that TensorFlow's interpreter
 * provides: box encodings [1, anchors, >= 4] (y, x, h, w relative to the anchors, divided by the
 * options' scales) are decoded to corners, then non-max suppression (regular per class, or fast
 * over each anchor's best classes) gives boxes [1, n, 4], classes [1, n], scores [1, n] and the
 * number of detections [1], n = max_detections x max_classes_per_detection. Options come from
 * the op's FlexBuffer map; float32 and uint8 inputs (dequantized first; TensorFlow's interpreter
 * refuses int8 ones).
 */
import { readFlexBuffer } from "../../../format/flexbuffers.ts";
import type { TensorData } from "../../../format/dtype.ts";
import { InvokeError } from "../../errors.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { params } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";
import { suppressFast, suppressRegular } from "./non_max_suppression.ts";

const f = Math.fround;

/** The op's options, with TFLite's defaults. */
interface PostProcessOptions {
  maxDetections: number;
  maxClassesPerDetection: number;
  detectionsPerClass: number;
  useRegularNms: boolean;
  scoreThreshold: number;
  iouThreshold: number;
  classes: number;
  scales: [number, number, number, number];
}

function readOptions(context: OpContext): PostProcessOptions {
  const bytes = context.operator.customOptions;
  if (!bytes) context.unsupported("the op has no options");
  let map;
  try {
    map = readFlexBuffer(bytes, context.where);
  } catch (error) {
    context.unsupported((error as Error).message);
  }
  if (map === null || typeof map !== "object" || Array.isArray(map)) {
    context.unsupported("the options are not a FlexBuffer map");
  }
  const number = (key: string, fallback?: number): number => {
    const value = map[key] ?? fallback;
    if (value === undefined || value === null) context.unsupported(`option ${key} is missing`);
    return Number(value);
  };
  const options = {
    maxDetections: number("max_detections"),
    maxClassesPerDetection: number("max_classes_per_detection"),
    detectionsPerClass: number("detections_per_class", 100),
    useRegularNms: Boolean(map.use_regular_nms ?? false),
    scoreThreshold: f(number("nms_score_threshold")),
    iouThreshold: f(number("nms_iou_threshold")),
    classes: number("num_classes"),
    scales: ["y_scale", "x_scale", "h_scale", "w_scale"].map((key) => f(number(key))) as [
      number,
      number,
      number,
      number,
    ],
  };
  if (!(options.iouThreshold > 0 && options.iouThreshold <= 1)) {
    context.unsupported(`nms_iou_threshold ${options.iouThreshold} is outside (0, 1]`);
  }
  if (options.maxDetections < 0 || options.maxClassesPerDetection <= 0) {
    context.unsupported("max_detections and max_classes_per_detection must be positive");
  }
  if (options.useRegularNms && options.detectionsPerClass <= 0) {
    context.unsupported("detections_per_class must be positive");
  }
  return options;
}

/** A float32 view of an input: its values, or its dequantized integers (float32 arithmetic). */
function floatReader(
  context: OpContext,
  tensor: RuntimeTensor,
): (values: TensorData) => Float32Array {
  if (tensor.dtype === "float32") return (values) => values as Float32Array;
  const { scale, zeroPoint } = params(context, tensor);
  return (values) =>
    Float32Array.from(values as Uint8Array, (value) => f(f(value - zeroPoint) * scale));
}

/** TFLite_Detection_PostProcess (see the module comment). */
export function detectionPostProcess(context: OpContext): PreparedOp {
  const options = readOptions(context);
  const encodings = context.input(0, "float32", "uint8");
  const predictions = context.input(1, "float32", "uint8");
  const anchorsTensor = context.input(2, "float32", "uint8");
  if (
    encodings.shape.length !== 3 || predictions.shape.length !== 3 ||
    anchorsTensor.shape.length !== 2
  ) {
    context.unsupported("box encodings and class predictions must be 3-D, anchors 2-D");
  }
  const [batches, anchors, coordinates] = encodings.shape;
  const classesWithBackground = predictions.shape[2];
  if (batches !== 1 || predictions.shape[0] !== 1 || predictions.shape[1] !== anchors) {
    context.unsupported(`a batch of one is needed: [${encodings.shape}], [${predictions.shape}]`);
  }
  if (coordinates < 4 || anchorsTensor.shape[0] !== anchors || anchorsTensor.shape[1] !== 4) {
    context.unsupported(
      `anchors [${anchorsTensor.shape}] do not fit encodings [${encodings.shape}]`,
    );
  }
  const background = classesWithBackground - options.classes;
  if (background < 0 || background > 1) {
    context.unsupported(`${classesWithBackground} class scores for ${options.classes} classes`);
  }
  const detected = options.maxDetections * options.maxClassesPerDetection;
  const outputs = [0, 1, 2, 3].map((position) => context.output(position, "float32"));
  outputs[0].shape = [1, detected, 4];
  outputs[1].shape = [1, detected];
  outputs[2].shape = [1, detected];
  outputs[3].shape = [1];
  const readEncodings = floatReader(context, encodings);
  const readScores = floatReader(context, predictions);
  const readAnchors = floatReader(context, anchorsTensor);
  const memory = context.memory;
  const [yScale, xScale, hScale, wScale] = options.scales;
  return {
    run() {
      const view = (tensor: RuntimeTensor, count: number) =>
        memory.view(tensor.dtype, tensor.offset, count);
      const boxEncodings = readEncodings(view(encodings, anchors * coordinates));
      const anchorBoxes = readAnchors(view(anchorsTensor, anchors * 4));
      const boxes = new Float32Array(anchors * 4);
      for (let anchor = 0; anchor < anchors; anchor++) {
        const [y, x, h, w] = boxEncodings.subarray(anchor * coordinates, anchor * coordinates + 4);
        const [ya, xa, ha, wa] = anchorBoxes.subarray(anchor * 4, anchor * 4 + 4);
        const yCenter = f(y / yScale * ha + ya);
        const xCenter = f(x / xScale * wa + xa);
        const halfH = f(0.5 * Math.exp(h / hScale) * ha);
        const halfW = f(0.5 * Math.exp(w / wScale) * wa);
        boxes.set([yCenter - halfH, xCenter - halfW, yCenter + halfH, xCenter + halfW], anchor * 4);
        if (
          !(boxes[anchor * 4] < boxes[anchor * 4 + 2] &&
            boxes[anchor * 4 + 1] < boxes[anchor * 4 + 3])
        ) {
          throw new InvokeError(context.where, `decoded box ${anchor} is empty or inverted`);
        }
      }
      const problem = {
        boxes,
        scores: readScores(view(predictions, anchors * classesWithBackground)),
        anchors,
        classes: options.classes,
        classesWithBackground,
        scoreThreshold: options.scoreThreshold,
        iouThreshold: options.iouThreshold,
        maxDetections: options.maxDetections,
      };
      const { detections, count } = options.useRegularNms
        ? suppressRegular(problem, options.detectionsPerClass)
        : suppressFast(problem, options.maxClassesPerDetection);
      const outBoxes = memory.f32(outputs[0].offset, detected * 4).fill(0);
      const outClasses = memory.f32(outputs[1].offset, detected).fill(0);
      const outScores = memory.f32(outputs[2].offset, detected).fill(0);
      for (const { slot, anchor, label, score } of detections) {
        outBoxes.set(boxes.subarray(anchor * 4, anchor * 4 + 4), slot * 4);
        outClasses[slot] = label;
        outScores[slot] = score;
      }
      memory.f32(outputs[3].offset, 1)[0] = count;
    },
  };
}
