/**
 * The non-max suppression of TFLite_Detection_PostProcess (TFLite's detection_postprocess.cc),
 * on boxes already decoded to corners [ymin, xmin, ymax, xmax] in float32: one class at a time
 * (regular), or each anchor's best class (fast). Ties in score keep the lower index first, as
 * TFLite's stable and partial sorts do.
 */
import { intersectionOverUnion } from "../common/box_overlap.ts";

/** Indices of `values` by decreasing value, the lower index first among equals. */
export function decreasingOrder(values: ArrayLike<number>, count = values.length): number[] {
  return Array.from({ length: count }, (_, index) => index).sort((a, b) =>
    values[b] - values[a] || a - b
  );
}

/**
 * Greedy suppression over one score per box: boxes scoring at least `scoreThreshold`, by
 * decreasing score, each kept unless a kept one overlaps it by more than `iouThreshold`; at most
 * `maxDetections`. Returns the kept box indices in order.
 */
export function suppressSingleClass(
  boxes: Float32Array,
  scores: ArrayLike<number>,
  scoreThreshold: number,
  iouThreshold: number,
  maxDetections: number,
): number[] {
  const candidates: number[] = [];
  for (let box = 0; box < scores.length; box++) {
    if (scores[box] >= scoreThreshold) candidates.push(box);
  }
  const order = decreasingOrder(candidates.map((box) => scores[box])).map((i) => candidates[i]);
  const outputSize = Math.min(order.length, maxDetections);
  const active = new Uint8Array(order.length).fill(1);
  let activeCount = order.length;
  const selected: number[] = [];
  for (let i = 0; i < order.length; i++) {
    if (activeCount === 0 || selected.length >= outputSize) break;
    if (!active[i]) continue;
    selected.push(order[i]);
    active[i] = 0;
    activeCount--;
    for (let j = i + 1; j < order.length; j++) {
      if (active[j] && intersectionOverUnion(boxes, order[i], order[j]) > iouThreshold) {
        active[j] = 0;
        activeCount--;
      }
    }
  }
  return selected;
}

/** One output detection: its output slot, anchor, class (background excluded) and score. */
export interface Detection {
  slot: number;
  anchor: number;
  label: number;
  score: number;
}

/** The detections and the count TFLite reports for them. */
export interface Detections {
  detections: Detection[];
  count: number;
}

/** What both suppressions take. */
export interface Suppression {
  boxes: Float32Array;
  /** Scores [anchors][classesWithBackground]. */
  scores: Float32Array;
  anchors: number;
  classes: number;
  classesWithBackground: number;
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
}

/**
 * Regular suppression: per class, suppression over that class's scores (at most
 * `perClass` boxes), merged with the best so far and cut to `maxDetections` by score.
 */
export function suppressRegular(problem: Suppression, perClass: number): Detections {
  const { scores, anchors, classes, classesWithBackground } = problem;
  const offset = classesWithBackground - classes;
  let best: Omit<Detection, "slot">[] = [];
  const classScores = new Float32Array(anchors);
  for (let label = 0; label < classes; label++) {
    for (let anchor = 0; anchor < anchors; anchor++) {
      classScores[anchor] = scores[anchor * classesWithBackground + label + offset];
    }
    const kept = suppressSingleClass(
      problem.boxes,
      classScores,
      problem.scoreThreshold,
      problem.iouThreshold,
      perClass,
    ).map((anchor) => ({ anchor, label, score: classScores[anchor] }));
    const merged = [...best, ...kept];
    best = decreasingOrder(merged.map((detection) => detection.score))
      .slice(0, Math.min(merged.length, problem.maxDetections))
      .map((index) => merged[index]);
  }
  return {
    detections: best.map((detection, slot) => ({ ...detection, slot })),
    count: best.length,
  };
}

/**
 * Fast suppression: each anchor's `perAnchor` best classes; suppression over the anchors' best
 * scores; kept anchor i gives its classes in slots perAnchor * i, ...; the count is of anchors.
 */
export function suppressFast(problem: Suppression, perAnchor: number): Detections {
  const { scores, anchors, classes, classesWithBackground } = problem;
  const offset = classesWithBackground - classes;
  const count = Math.min(perAnchor, classes);
  const bestClasses: number[][] = [];
  const maxScores = new Float32Array(anchors);
  for (let anchor = 0; anchor < anchors; anchor++) {
    const start = anchor * classesWithBackground + offset;
    const row = scores.subarray(start, start + classes);
    bestClasses.push(decreasingOrder(row).slice(0, count));
    maxScores[anchor] = row[bestClasses[anchor][0]];
  }
  const selected = suppressSingleClass(
    problem.boxes,
    maxScores,
    problem.scoreThreshold,
    problem.iouThreshold,
    problem.maxDetections,
  );
  const detections = selected.flatMap((anchor, i) =>
    bestClasses[anchor].map((label, column) => ({
      slot: perAnchor * i + column,
      anchor,
      label,
      score: scores[anchor * classesWithBackground + offset + label],
    }))
  );
  return { detections, count: selected.length };
}
