// A small area of memory for the partial vector stores of the GEMMs (a tile's last columns go
// through it). Each instance has its own pointer: in the threads build every thread instantiates
// the module over one shared memory and points its instance at bytes of its own with
// `set_spill_area`, so that no two threads spill to the same place.

/** Where this instance spills: 32 bytes, 16-aligned (the module's own static bytes until set). */
export let spill: usize = memory.data(32, 16);

/** Points this instance's spill area at `area` (32 bytes, 16-aligned, used by no other thread). */
export function set_spill_area(area: usize): void {
  spill = area;
}
