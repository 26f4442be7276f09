// A module of one instruction, independent of the runtime: what this engine's
// i32x4.relaxed_dot_i8x16_i7x16_add_s gives for int8 -128 against u8 255 (an
// operand outside its portable 7-bit range), to hold the runtime's probe to.
import binaryen from 'binaryen';

/** 7 + 4·(-128·255): the exact sum of one lane when the second operand is read as u8. */
export const EXACT_U8_LANE = 7 - 4 * 128 * 255;

/** Bytes of a module exporting dot(): lane 0 of that instruction on 16 × -128, 16 × 255 and 7s. */
export function fusedDotModule(): Uint8Array {
  const mod = binaryen.parseText(`(module
    (memory 1)
    (data (i32.const 0) "${'\\80'.repeat(16)}${'\\ff'.repeat(16)}")
    (func (export "dot") (result i32)
      (i32x4.extract_lane 0
        (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (i32.const 0)) (v128.load (i32.const 16)) (v128.const i32x4 7 7 7 7)))))`);
  mod.setFeatures(binaryen.Features.All);
  const bytes = mod.emitBinary();
  mod.dispose();
  return bytes;
}
