// AssemblyScript: the inner loop of a 4-row × 8-channel int8 GEMM tile three
// ways, for `npm run bench:relaxed-dot`. Each reads its own layout (see
// ../relaxed-dot.ts) and stores its 8 accumulators (row r, channels 0-3 and
// 4-7) at out + 32r.
//
// int16: what the runtime's lanes GEMM does: pairs of int16 values broadcast
//   (v128.load32_splat) against int16 weight pairs, i32x4.dot_i16x8_s.
// relaxed7: i16x8.relaxed_dot_i8x16_i7x16_s + i32x4.extadd_pairwise_i16x8_s on
//   four int8 values at a time. Portable only when the row values are 0..127
//   (x86 reads that operand unsigned, Arm signed): not int8 data in general.
// relaxedSplit: exact for int8. u = x + 128 = 128·h + l with l = u & 127 and
//   h = u >> 7, so Σ x·w = Σ l·w + 128·Σ h·w - 128·Σ w. The l part as in
//   relaxed7; the h part (|pair| <= 256) summed in int16 accumulators, widened
//   once at the end (exact while K <= 256 per call).
// fused7, fusedSplit: the same with the fused i32x4.relaxed_dot_i8x16_i7x16_add_s
//   (Node 20's V8 computes it wrongly; Chromium runs it). The split keeps l and h
//   in separate int32 accumulators, so its tile is 2 rows × 8 channels (16
//   accumulators would not fit the 16 vector registers of x64).

@inline function dot7(acc: v128, w: v128, b: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, b)));
}

@inline function dot7h(acc: v128, w: v128, b: v128): v128 {
  return i16x8.add(acc, i16x8.relaxed_dot_i8x16_i7x16_s(w, b));
}

// The dot each 4x8 tile loop takes (a compile-time argument of tile()).
const INT16 = 0, RELAXED7 = 1, FUSED7 = 2;

/** acc + the products of b (broadcast) and w that `dot` sums into each lane. */
@inline function mac(dot: i32, acc: v128, w: v128, b: v128): v128 {
  if (dot == INT16) return i32x4.add(acc, i32x4.dot_i16x8_s(b, w));
  if (dot == RELAXED7) return dot7(acc, w, b);
  return fused(acc, w, b);
}

/** The 4-row × 8-channel tile: 32 weight bytes and 4 bytes of each row per step. */
@inline function tile(w: usize, x: usize, steps: i32, reps: i32, out: usize, dot: i32): void {
  let a00 = i32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  for (let r = 0; r < reps; r++) {
    let pw = w, px = x;
    for (let t = 0; t < steps; t++) {
      const wa = v128.load(pw), wb = v128.load(pw, 16);
      let b = v128.load32_splat(px); a00 = mac(dot, a00, wa, b); a01 = mac(dot, a01, wb, b);
      b = v128.load32_splat(px, 4); a10 = mac(dot, a10, wa, b); a11 = mac(dot, a11, wb, b);
      b = v128.load32_splat(px, 8); a20 = mac(dot, a20, wa, b); a21 = mac(dot, a21, wb, b);
      b = v128.load32_splat(px, 12); a30 = mac(dot, a30, wa, b); a31 = mac(dot, a31, wb, b);
      pw += 32;
      px += 16;
    }
  }
  store8(out, a00, a01, a10, a11, a20, a21, a30, a31);
}

export function int16(w: usize, x: usize, steps: i32, reps: i32, out: usize): void {
  tile(w, x, steps, reps, out, INT16);
}

export function relaxed7(w: usize, x: usize, steps: i32, reps: i32, out: usize): void {
  tile(w, x, steps, reps, out, RELAXED7);
}

export function fused7(w: usize, x: usize, steps: i32, reps: i32, out: usize): void {
  tile(w, x, steps, reps, out, FUSED7);
}

/** The h plane lies `hOffset` bytes after the l plane (same layout). */
export function relaxedSplit(w: usize, x: usize, steps: i32, reps: i32, out: usize, hOffset: usize): void {
  let a00 = i32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  let h00 = a00, h01 = a00, h10 = a00, h11 = a00, h20 = a00, h21 = a00, h30 = a00, h31 = a00;
  for (let r = 0; r < reps; r++) {
    let pw = w, px = x;
    for (let t = 0; t < steps; t++) {
      const wa = v128.load(pw), wb = v128.load(pw, 16);
      const ph = px + hOffset;
      let b = v128.load32_splat(px); a00 = dot7(a00, wa, b); a01 = dot7(a01, wb, b);
      b = v128.load32_splat(ph); h00 = dot7h(h00, wa, b); h01 = dot7h(h01, wb, b);
      b = v128.load32_splat(px, 4); a10 = dot7(a10, wa, b); a11 = dot7(a11, wb, b);
      b = v128.load32_splat(ph, 4); h10 = dot7h(h10, wa, b); h11 = dot7h(h11, wb, b);
      b = v128.load32_splat(px, 8); a20 = dot7(a20, wa, b); a21 = dot7(a21, wb, b);
      b = v128.load32_splat(ph, 8); h20 = dot7h(h20, wa, b); h21 = dot7h(h21, wb, b);
      b = v128.load32_splat(px, 12); a30 = dot7(a30, wa, b); a31 = dot7(a31, wb, b);
      b = v128.load32_splat(ph, 12); h30 = dot7h(h30, wa, b); h31 = dot7h(h31, wb, b);
      pw += 32;
      px += 16;
    }
  }
  store8(out, withHigh(a00, h00), withHigh(a01, h01), withHigh(a10, h10), withHigh(a11, h11),
    withHigh(a20, h20), withHigh(a21, h21), withHigh(a30, h30), withHigh(a31, h31));
}

/** a + 128·(the int16 pair sums in h, widened). */
@inline function withHigh(a: v128, h: v128): v128 {
  return i32x4.add(a, i32x4.shl(i32x4.extadd_pairwise_i16x8_s(h), 7));
}

@inline function store8(out: usize, a00: v128, a01: v128, a10: v128, a11: v128, a20: v128, a21: v128, a30: v128, a31: v128): void {
  v128.store(out, a00); v128.store(out, a01, 16); v128.store(out, a10, 32); v128.store(out, a11, 48);
  v128.store(out, a20, 64); v128.store(out, a21, 80); v128.store(out, a30, 96); v128.store(out, a31, 112);
}

@inline function fused(acc: v128, w: v128, b: v128): v128 {
  return i32x4.relaxed_dot_i8x16_i7x16_add_s(w, b, acc);
}


/** Rows 0 and 1 of the tile only (their 4 accumulators at out). */
export function fusedSplit(w: usize, x: usize, steps: i32, reps: i32, out: usize, hOffset: usize): void {
  let a00 = i32x4.splat(0), a01 = a00, a10 = a00, a11 = a00;
  let h00 = a00, h01 = a00, h10 = a00, h11 = a00;
  for (let r = 0; r < reps; r++) {
    let pw = w, px = x;
    for (let t = 0; t < steps; t++) {
      const wa = v128.load(pw), wb = v128.load(pw, 16);
      const ph = px + hOffset;
      let b = v128.load32_splat(px); a00 = fused(a00, wa, b); a01 = fused(a01, wb, b);
      b = v128.load32_splat(ph); h00 = fused(h00, wa, b); h01 = fused(h01, wb, b);
      b = v128.load32_splat(px, 4); a10 = fused(a10, wa, b); a11 = fused(a11, wb, b);
      b = v128.load32_splat(ph, 4); h10 = fused(h10, wa, b); h11 = fused(h11, wb, b);
      pw += 32;
      px += 16;
    }
  }
  v128.store(out, i32x4.add(a00, i32x4.shl(h00, 7))); v128.store(out, i32x4.add(a01, i32x4.shl(h01, 7)), 16);
  v128.store(out, i32x4.add(a10, i32x4.shl(h10, 7)), 32); v128.store(out, i32x4.add(a11, i32x4.shl(h11, 7)), 48);
}
