/**
 * How much two boxes overlap, as TFLite's non-max suppressions measure it (NON_MAX_SUPPRESSION_V4
 * and V5, and TFLite_Detection_PostProcess, whose decoded boxes are already in corner order).
 */

const f = Math.fround;

/**
 * Intersection over union of boxes i and j of `boxes` (4 corners each, [y0, x0, y1, x1] in any
 * order), in float32 as TFLite computes it; 0 when either box is empty.
 */
export function intersectionOverUnion(boxes: Float32Array, i: number, j: number): number {
  const corners = (box: number) => {
    const [y0, x0, y1, x1] = boxes.subarray(4 * box, 4 * box + 4);
    return [Math.min(y0, y1), Math.min(x0, x1), Math.max(y0, y1), Math.max(x0, x1)];
  };
  const [yminI, xminI, ymaxI, xmaxI] = corners(i);
  const [yminJ, xminJ, ymaxJ, xmaxJ] = corners(j);
  const areaI = f(f(ymaxI - yminI) * f(xmaxI - xminI));
  const areaJ = f(f(ymaxJ - yminJ) * f(xmaxJ - xminJ));
  if (areaI <= 0 || areaJ <= 0) return 0;
  const height = Math.max(f(Math.min(ymaxI, ymaxJ) - Math.max(yminI, yminJ)), 0);
  const width = Math.max(f(Math.min(xmaxI, xmaxJ) - Math.max(xminI, xminJ)), 0);
  const intersection = f(height * width);
  return f(intersection / f(f(areaI + areaJ) - intersection));
}
