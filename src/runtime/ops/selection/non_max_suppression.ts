/**
 * NON_MAX_SUPPRESSION_V4 and V5 (TFLite's reference NonMaxSuppression): greedy selection of boxes
 * [N, 4] (corners in any order) by decreasing score, from a max-priority queue that replays
 * libstdc++'s heap operations so that equal scores leave in TensorFlow's order; V5 adds soft-NMS
 * (scores decayed by exp(-iou^2 / (2 sigma))) and returns the selected scores. Outputs are padded
 * with zeros to the constant max_output_size, with the count of valid entries.
 */
import { intersectionOverUnion } from "../common/box_overlap.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

const f = Math.fround;

interface Candidate {
  index: number;
  score: number;
  suppressBegin: number;
}

/** std::priority_queue<Candidate> ordered by score: push_heap and pop_heap as libstdc++ does. */
class CandidateQueue {
  private readonly heap: Candidate[] = [];

  get size(): number {
    return this.heap.length;
  }

  private siftUp(hole: number, top: number, value: Candidate): void {
    let parent = Math.floor((hole - 1) / 2);
    while (hole > top && this.heap[parent].score < value.score) {
      this.heap[hole] = this.heap[parent];
      hole = parent;
      parent = Math.floor((hole - 1) / 2);
    }
    this.heap[hole] = value;
  }

  push(value: Candidate): void {
    this.heap.push(value);
    this.siftUp(this.heap.length - 1, 0, value);
  }

  pop(): Candidate {
    const heap = this.heap;
    const top = heap[0];
    const value = heap[heap.length - 1];
    const length = heap.length - 1;
    let hole = 0;
    let child = 0;
    while (child < Math.floor((length - 1) / 2)) {
      child = 2 * (child + 1);
      if (heap[child].score < heap[child - 1].score) child--;
      heap[hole] = heap[child];
      hole = child;
    }
    if ((length & 1) === 0 && child === Math.floor((length - 2) / 2)) {
      child = 2 * (child + 1);
      heap[hole] = heap[child - 1];
      hole = child - 1;
    }
    heap.pop();
    if (length > 0) this.siftUp(hole, 0, value);
    return top;
  }
}

/** The selection: indices and scores of the selected boxes, in order. */
function suppress(
  boxes: Float32Array,
  scores: Float32Array,
  maxOutputs: number,
  iouThreshold: number,
  scoreThreshold: number,
  sigma: number,
): { indices: number[]; scores: number[] } {
  const queue = new CandidateQueue();
  for (let index = 0; index < scores.length; index++) {
    if (scores[index] > scoreThreshold) {
      queue.push({ index, score: scores[index], suppressBegin: 0 });
    }
  }
  const selected: number[] = [];
  const selectedScores: number[] = [];
  const outputs = Math.min(queue.size, maxOutputs);
  const scale = sigma > 0 ? f(-0.5 / sigma) : 0;
  while (selected.length < outputs && queue.size > 0) {
    const candidate = queue.pop();
    const original = candidate.score;
    let hardSuppressed = false;
    for (let j = selected.length - 1; j >= candidate.suppressBegin; j--) {
      const iou = intersectionOverUnion(boxes, candidate.index, selected[j]);
      if (iou >= iouThreshold) {
        hardSuppressed = true;
        break;
      }
      if (sigma > 0) candidate.score = f(candidate.score * f(Math.exp(f(f(scale * iou) * iou))));
      if (candidate.score <= scoreThreshold) break;
    }
    candidate.suppressBegin = selected.length;
    if (!hardSuppressed) {
      if (candidate.score === original) {
        selected.push(candidate.index);
        selectedScores.push(candidate.score);
      }
      if (candidate.score > scoreThreshold) queue.push(candidate);
    }
  }
  return { indices: selected, scores: selectedScores };
}

/** NON_MAX_SUPPRESSION_V4 (`withScores` false) or V5. */
function nonMaxSuppression(context: OpContext, withScores: boolean): PreparedOp {
  const boxes = context.input(0, "float32");
  const scores = context.input(1, "float32");
  const [maxOutputs] = context.integers(context.input(2), "max_output_size");
  const iouInput = context.input(3, "float32");
  const scoreInput = context.input(4, "float32");
  const sigmaInput = withScores ? context.input(5, "float32") : null;
  const count = boxes.shape[0];
  if (boxes.shape.length !== 2 || boxes.shape[1] !== 4 || scores.shape[0] !== count) {
    context.unsupported(`boxes [${boxes.shape}] and scores [${scores.shape}] do not fit`);
  }
  if (!(maxOutputs >= 0)) context.unsupported(`max_output_size ${maxOutputs} is negative`);
  const selectedOutput = context.output(0, "int32");
  const scoresOutput = withScores ? context.output(1, "float32") : null;
  const validOutput = context.output(withScores ? 2 : 1, "int32");
  selectedOutput.shape = [maxOutputs];
  if (scoresOutput) scoresOutput.shape = [maxOutputs];
  validOutput.shape = [];
  const memory = context.memory;
  return {
    run() {
      const scalar = (tensor: typeof iouInput) => memory.f32(tensor.offset, 1)[0];
      const result = suppress(
        memory.f32(boxes.offset, count * 4),
        memory.f32(scores.offset, count),
        maxOutputs,
        scalar(iouInput),
        scalar(scoreInput),
        sigmaInput ? scalar(sigmaInput) : 0,
      );
      memory.i32(selectedOutput.offset, maxOutputs).fill(0).set(result.indices);
      if (scoresOutput) memory.f32(scoresOutput.offset, maxOutputs).fill(0).set(result.scores);
      memory.i32(validOutput.offset, 1)[0] = result.indices.length;
    },
  };
}

/** NON_MAX_SUPPRESSION_V4: padded selected indices and their count. */
export const nonMaxSuppressionV4 = (context: OpContext): PreparedOp =>
  nonMaxSuppression(context, false);

/** NON_MAX_SUPPRESSION_V5: padded selected indices, their (soft-NMS) scores and their count. */
export const nonMaxSuppressionV5 = (context: OpContext): PreparedOp =>
  nonMaxSuppression(context, true);
