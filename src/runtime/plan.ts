/**
 * Static memory planning for activations: each buffer lives from the step that writes it to the
 * last step that reads it, and buffers whose lifetimes do not overlap share bytes. Greedy by
 * size, as TFLite's arena planner: the largest buffers are placed first, each at the lowest
 * offset that does not collide with an already placed buffer alive at the same time.
 */

/** A buffer to place: its size and the first and last step (inclusive) it must survive. */
export interface Lifetime {
  bytes: number;
  first: number;
  last: number;
}

/** Where each buffer goes (offsets from the arena's start, 16-byte aligned) and the arena size. */
export interface ArenaPlan {
  offsets: number[];
  totalBytes: number;
}

const ALIGN = 16;

/** Places `buffers` (see the module comment). */
export function planArena(buffers: readonly Lifetime[]): ArenaPlan {
  const order = buffers.map((_, index) => index)
    .sort((x, y) => buffers[y].bytes - buffers[x].bytes || x - y);
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  let totalBytes = 0;
  for (const index of order) {
    const buffer = buffers[index];
    const size = Math.ceil(buffer.bytes / ALIGN) * ALIGN;
    const overlapping = placed
      .filter((other) => buffers[other].first <= buffer.last && buffer.first <= buffers[other].last)
      .sort((x, y) => offsets[x] - offsets[y]);
    let offset = 0;
    for (const other of overlapping) {
      const otherSize = Math.ceil(buffers[other].bytes / ALIGN) * ALIGN;
      if (offset + size <= offsets[other]) break;
      offset = Math.max(offset, offsets[other] + otherSize);
    }
    offsets[index] = offset;
    placed.push(index);
    totalBytes = Math.max(totalBytes, offset + size);
  }
  return { offsets, totalBytes };
}
