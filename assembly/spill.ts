// A small area of memory for the partial vector stores of the GEMMs (a tile's last columns go
// through it, copied out by `copy_from_spill`). Each instance has its own pointer: in the threads build every thread instantiates
// the module over one shared memory and points its instance at bytes of its own with
// `set_spill_area`, so that no two threads spill to the same place.

/** Where this instance spills: 32 bytes, 16-aligned (the module's own static bytes until set). */
export let spill: usize = memory.data(32, 16);

/** Points this instance's spill area at `area` (32 bytes, 16-aligned, used by no other thread). */
export function set_spill_area(area: usize): void {
  spill = area;
}

/**
 * Copies the first `bytes` bytes of the spill area to `target`, byte by byte: not `memory.copy`,
 * whose call, even on a branch a tile loop seldom takes, costs V8 the registers of the dot loop
 * around it (measured: int8 1x1 layers with 16-32 input channels 1.25x slower in Chromium 156).
 */
// @ts-ignore: decorator
@inline
export function copy_from_spill(target: usize, bytes: usize): void {
  for (let i: usize = 0; i < bytes; i++) store<u8>(target + i, load<u8>(spill + i));
}
