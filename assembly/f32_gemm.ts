import {
  LAYER_BIAS, LAYER_DEPTH, LAYER_HIGH_F, LAYER_LDA, LAYER_LDC, LAYER_LOW_F, LAYER_N,
} from "./kernel_layout.generated";
import { f32x4_madd } from "./simd";
import { copy_from_spill, spill } from "./spill";

// Float32 matrix multiplication on a right-hand side packed once (at model load).
//
// C[m][n] = clamp(bias[n] + sum_k A[m][k] * B[n][k], low, high), A row-major with row stride
// `lda`, C row-major with row stride `ldc`. B is packed into panels of 8 columns: panel p holds,
// for each k in order, the 8 values B[8p .. 8p+7][k] (zeros past n). The bias is padded likewise
// to a multiple of 8. The micro-kernel keeps a 4x8 tile of C in eight v128 registers.

/** Floats in one packed panel row: the micro-kernel's width. */
// @ts-ignore: decorator
@inline const PANEL: i32 = 8;
/** Rows of A multiplied against every panel before moving on, so that they stay in cache. */
// @ts-ignore: decorator
@inline const ROW_BLOCK: i32 = 64;


/** Packs B (element (n, k) at `source + 4 * (n * strideN + k * strideK)`) into 8-wide panels. */
export function f32_pack_rhs(source: usize, n: i32, k: i32, strideN: i32, strideK: i32, packed: usize): void {
  const panels = (n + PANEL - 1) / PANEL;
  let target = packed;
  for (let panel = 0; panel < panels; panel++) {
    for (let depth = 0; depth < k; depth++) {
      for (let lane = 0; lane < PANEL; lane++) {
        const column = panel * PANEL + lane;
        const value = column < n
          ? load<f32>(source + (<usize>(column * strideN + depth * strideK) << 2))
          : <f32>0;
        store<f32>(target, value);
        target += 4;
      }
    }
  }
}

/**
 * Stores one row of a tile: the sums plus the bias, clamped. The bias comes last, as in
 * TFLite's reference kernels, so that the plain-SIMD build (multiply, then add, in depth order)
 * gives their float32 results bit for bit.
 */
// @ts-ignore: decorator
@inline
function store_tile_row(
  target: usize, sumLow: v128, sumHigh: v128, biasLow: v128, biasHigh: v128,
  lowV: v128, highV: v128, columns: i32,
): void {
  const low = f32x4.min(f32x4.max(f32x4.add(sumLow, biasLow), lowV), highV);
  const high = f32x4.min(f32x4.max(f32x4.add(sumHigh, biasHigh), lowV), highV);
  if (columns == PANEL) {
    v128.store(target, low);
    v128.store(target, high, 16);
  } else {
    v128.store(spill, low);
    v128.store(spill, high, 16);
    copy_from_spill(target, <usize>columns << 2);
  }
}

/**
 * C = clamp(A x packed B + bias, low, high) for m rows with a 4x8 register tile; see the file
 * comment. The layer block gives n, k (`depth`), `lda`, `ldc`, the bias and the clamp (`lowF`,
 * `highF`).
 */
export function f32_gemm_4x8(a: usize, packed: usize, c: usize, m: i32, layer: usize): void {
  const n = load<i32>(layer + LAYER_N);
  const k = load<i32>(layer + LAYER_DEPTH);
  const lda = load<i32>(layer + LAYER_LDA);
  const ldc = load<i32>(layer + LAYER_LDC);
  const bias = load<usize>(layer + LAYER_BIAS);
  const lowV = f32x4.splat(load<f32>(layer + LAYER_LOW_F));
  const highV = f32x4.splat(load<f32>(layer + LAYER_HIGH_F));
  const rowA = <usize>lda << 2;
  const rowC = <usize>ldc << 2;
  const panels = (n + PANEL - 1) / PANEL;
  for (let block = 0; block < m; block += ROW_BLOCK) {
    const blockEnd = min(m, block + ROW_BLOCK);
    for (let panel = 0; panel < panels; panel++) {
      gemm_block(a, rowA, packed, bias, c, rowC, block, blockEnd, panel, n, k, lowV, highV);
    }
  }
}

// @ts-ignore: decorator
@inline
function gemm_block(
  a: usize, rowA: usize, packed: usize, bias: usize, c: usize, rowC: usize,
  rowStart: i32, rowEnd: i32, panel: i32, n: i32, k: i32, lowV: v128, highV: v128,
): void {
  const panelB = packed + (<usize>panel * <usize>k * PANEL << 2);
  const biasLow = v128.load(bias + (<usize>panel * PANEL << 2));
  const biasHigh = v128.load(bias + (<usize>panel * PANEL << 2), 16);
  const columns = min(PANEL, n - panel * PANEL);
  const cPanel = c + (<usize>panel * PANEL << 2);
  let row = rowStart;
  for (; row + 4 <= rowEnd; row += 4) {
    let a0 = a + <usize>row * rowA;
    let a1 = a0 + rowA;
    let a2 = a1 + rowA;
    let a3 = a2 + rowA;
    const zero = f32x4.splat(0);
    let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
    let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
    let pb = panelB;
    for (let depth = 0; depth < k; depth++) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const x0 = v128.load32_splat(a0);
      const x1 = v128.load32_splat(a1);
      const x2 = v128.load32_splat(a2);
      const x3 = v128.load32_splat(a3);
      c00 = f32x4_madd(x0, b0, c00);
      c01 = f32x4_madd(x0, b1, c01);
      c10 = f32x4_madd(x1, b0, c10);
      c11 = f32x4_madd(x1, b1, c11);
      c20 = f32x4_madd(x2, b0, c20);
      c21 = f32x4_madd(x2, b1, c21);
      c30 = f32x4_madd(x3, b0, c30);
      c31 = f32x4_madd(x3, b1, c31);
      pb += PANEL << 2;
      a0 += 4;
      a1 += 4;
      a2 += 4;
      a3 += 4;
    }
    const c0 = cPanel + <usize>row * rowC;
    store_tile_row(c0, c00, c01, biasLow, biasHigh, lowV, highV, columns);
    store_tile_row(c0 + rowC, c10, c11, biasLow, biasHigh, lowV, highV, columns);
    store_tile_row(c0 + 2 * rowC, c20, c21, biasLow, biasHigh, lowV, highV, columns);
    store_tile_row(c0 + 3 * rowC, c30, c31, biasLow, biasHigh, lowV, highV, columns);
  }
  for (; row < rowEnd; row++) {
    let a0 = a + <usize>row * rowA;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let pb = panelB;
    for (let depth = 0; depth < k; depth++) {
      const x0 = v128.load32_splat(a0);
      c00 = f32x4_madd(x0, v128.load(pb), c00);
      c01 = f32x4_madd(x0, v128.load(pb, 16), c01);
      pb += PANEL << 2;
      a0 += 4;
    }
    store_tile_row(cPanel + <usize>row * rowC, c00, c01, biasLow, biasHigh, lowV, highV, columns);
  }
}
