// Per-op checks of shapes and parameters: what an op needs before any kernel may
// touch memory. The reader runs these on every op; assembly/checks.ts performs
// the same checks in the wasm loader. A kernel may rely on everything checked here.
import { DType } from './dtypes.js';
import { ModelFormatError, type LoadCodeName } from './errors.js';
import type { OpRecord, TensorRecord } from './model.js';
import { NONE, OP_BY_ID } from './ops.js';

function fail(code: LoadCodeName, message: string): never {
  throw new ModelFormatError(code, message);
}

/** Shape padded on the left with 1s to rank 4 (rank ≤ 4 required). */
export function as4d(shape: readonly number[]): [number, number, number, number] {
  const s = [1, 1, 1, 1, ...shape].slice(-4);
  return s as [number, number, number, number];
}

export function qmin(dtype: DType): number {
  return dtype === DType.INT16 ? -32768 : -128;
}
export function qmax(dtype: DType): number {
  return dtype === DType.INT16 ? 32767 : 127;
}

const elements = (t: TensorRecord) => t.shape.reduce((a, b) => a * b, 1);

export function checkOp(op: OpRecord, index: number, tensors: TensorRecord[], constants: Uint8Array): void {
  const def = OP_BY_ID.get(op.opcode)!;
  const what = `op ${index} (${def.name})`;
  const t = (i: number) => tensors[i]!;
  const P = (name: string) => op.params[def.params.indexOf(name)]!;
  const range = (name: string, lo: number, hi: number) => {
    const x = P(name);
    if (x < lo || x > hi) fail('E_PARAM', `${what}: parameter ${name} is ${x}, expected ${lo}..${hi}`);
  };
  const shapeErr = (msg: string): never => fail('E_SHAPE', `${what}: ${msg}`);
  const sameDtype = (a: TensorRecord, b: TensorRecord, names: string) => {
    if (a.dtype !== b.dtype) fail('E_DTYPE', `${what}: ${names} must have the same type`);
  };
  const rank = (x: TensorRecord, r: number, name: string) => {
    if (x.shape.length !== r) shapeErr(`${name} has rank ${x.shape.length} [${x.shape}], expected ${r}`);
  };
  const maxRank4 = (x: TensorRecord, name: string) => {
    if (x.shape.length > 4) shapeErr(`${name} has rank ${x.shape.length}; this op takes at most 4`);
  };
  const clamp = (dt: DType) => {
    range('actMin', qmin(dt), qmax(dt));
    range('actMax', P('actMin'), qmax(dt));
  };
  const i32 = new DataView(constants.buffer, constants.byteOffset, constants.byteLength);
  // Prepared per-channel multipliers and shifts: exactly `count` entries, each in range.
  const preparedChannels = (mi: number, si: number, count: number, maxShift = 30) => {
    for (const [ti, name, lo, hi] of [[mi, 'multiplier', 0, 0x7fffffff], [si, 'shift', -31, maxShift]] as const) {
      const x = t(ti);
      if (x.shape.length !== 1 || x.shape[0] !== count) shapeErr(`${name} has shape [${x.shape}], expected [${count}]`);
      for (let k = 0; k < count; k++) {
        const val = i32.getInt32(x.offset + k * 4, true);
        if (val < lo || val > hi) fail('E_PARAM', `${what}: ${name}[${k}] is ${val}, expected ${lo}..${hi}`);
      }
    }
  };
  const multiplierParam = (m: string, s: string) => {
    range(m, 0, 0x7fffffff);
    range(s, -31, 30);
  };
  const offsets = (dt: DType, names: string[]) => {
    for (const n of names) range(n, dt === DType.INT16 ? 0 : n === 'outputOffset' ? -128 : -127, dt === DType.INT16 ? 0 : n === 'outputOffset' ? 127 : 128);
  };

  switch (def.name) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D': {
      const [x, w, b, m, s] = op.inputs.map((i) => (i === NONE ? undefined : t(i)));
      const y = t(op.outputs[0]!);
      rank(x!, 4, 'input');
      rank(w!, 4, 'filter');
      rank(y, 4, 'output');
      sameDtype(x!, y, 'input and output');
      const [n, , , c] = x!.shape as [number, number, number, number];
      const [yn, , , oc] = y.shape as [number, number, number, number];
      if (yn !== n) shapeErr(`output batch ${yn} differs from input batch ${n}`);
      if (def.name === 'CONV_2D') {
        if (w!.shape[0] !== oc) shapeErr(`filter has ${w!.shape[0]} output channels, output has ${oc}`);
        if (w!.shape[3] !== c) shapeErr(`filter has ${w!.shape[3]} input channels, input has ${c}`);
      } else {
        range('depthMultiplier', 1, 65535);
        if (w!.shape[0] !== 1) shapeErr(`filter shape [${w!.shape}] must start with 1`);
        if (w!.shape[3] !== oc) shapeErr(`filter has ${w!.shape[3]} channels, output has ${oc}`);
        if (oc !== c * P('depthMultiplier')) shapeErr(`output channels ${oc} ≠ input channels ${c} × depth multiplier ${P('depthMultiplier')}`);
      }
      if (b && (b.shape.length !== 1 || b.shape[0] !== oc)) shapeErr(`bias has shape [${b.shape}], expected [${oc}]`);
      preparedChannels(op.inputs[3]!, op.inputs[4]!, oc);
      void m, s;
      for (const p of ['strideH', 'strideW', 'dilationH', 'dilationW']) range(p, 1, 65535);
      // The furthest tap of the last output row/column stays within int32.
      for (const [a, s, d] of [[1, 'strideH', 'dilationH'], [2, 'strideW', 'dilationW']] as const)
        if ((y.shape[a]! - 1) * P(s) + (w!.shape[a]! - 1) * P(d) > 0x7fffffff) shapeErr(`output [${y.shape}] with ${s} ${P(s)} reaches past int32`);
      for (const p of ['padTop', 'padLeft']) range(p, 0, 65535);
      offsets(x!.dtype, ['inputOffset', 'outputOffset']);
      range('filterOffset', -255, 255);
      clamp(y.dtype);
      for (const tmp of op.temps) if (tmp !== NONE && t(tmp).bytes === 0) shapeErr('scratch is empty');
      // CONV_2D's SIMD kernel packs 4 rows of int16 over K = KH*KW*IC rounded up to 8
      // (quantize/pack/ops/conv_2d.ts, conv2dMinScratchBytes).
      const scratch = op.temps[0];
      if (def.name === 'CONV_2D' && scratch !== undefined && scratch !== NONE) {
        const need = 8 * Math.ceil((w!.shape[1]! * w!.shape[2]! * w!.shape[3]!) / 8) * 8;
        if (t(scratch).bytes < need) shapeErr(`scratch has ${t(scratch).bytes} bytes, the kernel needs ${need}`);
      }
      return;
    }
    case 'FULLY_CONNECTED': {
      const [x, w, b] = op.inputs.map((i) => (i === NONE ? undefined : t(i)));
      const y = t(op.outputs[0]!);
      rank(w!, 2, 'filter');
      sameDtype(x!, y, 'input and output');
      const [oc, k] = w!.shape as [number, number];
      if (elements(x!) % k !== 0) shapeErr(`input [${x!.shape}] is not a whole number of rows of ${k}`);
      const rows = elements(x!) / k;
      if (y.shape[y.shape.length - 1] !== oc || elements(y) !== rows * oc)
        shapeErr(`output [${y.shape}] should hold ${rows} rows of ${oc}`);
      if (b) {
        if (b.shape.length !== 1 || b.shape[0] !== oc) shapeErr(`bias has shape [${b.shape}], expected [${oc}]`);
        const want = x!.dtype === DType.INT16 ? DType.INT64 : DType.INT32;
        if (b.dtype !== want) fail('E_DTYPE', `${what}: bias must be ${want === DType.INT64 ? 'INT64' : 'INT32'} for this input type`);
      }
      // 16x8: TFLite's int64 requantization is defined for shifts below 8.
      preparedChannels(op.inputs[3]!, op.inputs[4]!, oc, x!.dtype === DType.INT16 ? 7 : 30);
      offsets(x!.dtype, ['inputOffset', 'outputOffset']);
      range('filterOffset', -255, 255);
      clamp(y.dtype);
      return;
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const x = t(op.inputs[0]!);
      const y = t(op.outputs[0]!);
      rank(x, 4, 'input');
      rank(y, 4, 'output');
      sameDtype(x, y, 'input and output');
      if (x.shape[0] !== y.shape[0] || x.shape[3] !== y.shape[3]) shapeErr(`input [${x.shape}] and output [${y.shape}] differ in batch or channels`);
      for (const p of ['filterH', 'filterW', 'strideH', 'strideW']) range(p, 1, 65535);
      for (const p of ['padTop', 'padLeft']) range(p, 0, 65535);
      clamp(y.dtype);
      return;
    }
    case 'MEAN': {
      const x = t(op.inputs[0]!);
      const y = t(op.outputs[0]!);
      rank(x, 4, 'input');
      sameDtype(x, y, 'input and output');
      const [n, , , c] = x.shape as [number, number, number, number];
      if (y.shape[y.shape.length - 1] !== c || elements(y) !== n * c) shapeErr(`output [${y.shape}] should hold ${n}×${c} means`);
      offsets(x.dtype, ['inputOffset', 'outputOffset']);
      multiplierParam('multiplier', 'shift');
      return;
    }
    case 'ADD':
    case 'MUL': {
      const a = t(op.inputs[0]!);
      const b = t(op.inputs[1]!);
      const y = t(op.outputs[0]!);
      sameDtype(a, y, 'input1 and output');
      sameDtype(b, y, 'input2 and output');
      maxRank4(a, 'input1');
      maxRank4(b, 'input2');
      maxRank4(y, 'output');
      const [ya, yb, yo] = [as4d(a.shape), as4d(b.shape), as4d(y.shape)];
      for (let d = 0; d < 4; d++)
        if ((ya[d] !== yo[d] && ya[d] !== 1) || (yb[d] !== yo[d] && yb[d] !== 1))
          shapeErr(`inputs [${a.shape}] and [${b.shape}] do not broadcast to output [${y.shape}]`);
      offsets(y.dtype, ['inputOffset1', 'inputOffset2', 'outputOffset']);
      if (def.name === 'ADD') {
        range('leftShift', 0, 20);
        multiplierParam('multiplier1', 'shift1');
        multiplierParam('multiplier2', 'shift2');
      }
      multiplierParam('outputMultiplier', 'outputShift');
      clamp(y.dtype);
      return;
    }
    case 'CONCATENATION': {
      const y = t(op.outputs[0]!);
      const axis = P('axis');
      if (axis < 0 || axis >= y.shape.length) fail('E_PARAM', `${what}: axis ${axis} is outside rank ${y.shape.length}`);
      let sum = 0;
      op.inputs.forEach((i, k) => {
        const x = t(i);
        sameDtype(x, y, `input ${k} and output`);
        if (x.shape.length !== y.shape.length) shapeErr(`input ${k} has rank ${x.shape.length}, output ${y.shape.length}`);
        x.shape.forEach((d, j) => {
          if (j !== axis && d !== y.shape[j]) shapeErr(`input ${k} [${x.shape}] differs from output [${y.shape}] off the axis`);
        });
        sum += x.shape[axis]!;
        if (x.scale !== y.scale || x.zeroPoint !== y.zeroPoint)
          fail('E_PARAM', `${what}: input ${k} has scale ${x.scale}/zero point ${x.zeroPoint}; concatenation needs the output's ${y.scale}/${y.zeroPoint}`);
      });
      if (sum !== y.shape[axis]) shapeErr(`inputs give ${sum} along axis ${axis}, output has ${y.shape[axis]}`);
      return;
    }
    case 'PAD': {
      const x = t(op.inputs[0]!);
      const y = t(op.outputs[0]!);
      sameDtype(x, y, 'input and output');
      maxRank4(x, 'input');
      if (x.shape.length !== y.shape.length) shapeErr(`input rank ${x.shape.length} ≠ output rank ${y.shape.length}`);
      const [xi, yo] = [as4d(x.shape), as4d(y.shape)];
      for (let d = 0; d < 4; d++) {
        range(`before${d}`, 0, 65535);
        range(`after${d}`, 0, 65535);
        if (xi[d]! + P(`before${d}`) + P(`after${d}`) !== yo[d]) shapeErr(`padding dimension ${d} of [${x.shape}] does not give [${y.shape}]`);
      }
      range('padValue', qmin(x.dtype), qmax(x.dtype));
      return;
    }
    case 'RESHAPE': {
      const x = t(op.inputs[0]!);
      const y = t(op.outputs[0]!);
      sameDtype(x, y, 'input and output');
      if (x.bytes !== y.bytes) shapeErr(`input [${x.shape}] and output [${y.shape}] differ in size`);
      if (x.location !== y.location || x.offset !== y.offset) fail('E_ARENA', `${what}: the output must alias the input's bytes`);
      return;
    }
    case 'SOFTMAX': {
      const x = t(op.inputs[0]!);
      const y = t(op.outputs[0]!);
      if (elements(x) !== elements(y) || x.shape[x.shape.length - 1] !== y.shape[y.shape.length - 1]) shapeErr(`input [${x.shape}] and output [${y.shape}] differ`);
      if (y.zeroPoint !== -128 || y.scale !== 1 / 256) fail('E_PARAM', `${what}: output must have scale 1/256 and zero point -128, has ${y.scale}/${y.zeroPoint}`);
      range('inputBetaMultiplier', 0, 0x7fffffff);
      range('inputBetaLeftShift', 0, 31);
      range('diffMin', -0x7fffffff, 0);
      return;
    }
    case 'LOOKUP': {
      const x = t(op.inputs[0]!);
      const table = t(op.inputs[1]!);
      const y = t(op.outputs[0]!);
      sameDtype(x, y, 'input and output');
      sameDtype(x, table, 'input and table');
      const want = x.dtype === DType.INT8 ? 256 : 513;
      if (elements(table) !== want) shapeErr(`table has ${elements(table)} entries, expected ${want}`);
      if (elements(x) !== elements(y)) shapeErr(`input [${x.shape}] and output [${y.shape}] differ in size`);
      return;
    }
    case 'QUANTIZE': {
      const x = t(op.inputs[0]!);
      const y = t(op.outputs[0]!);
      if (elements(x) !== elements(y)) shapeErr(`input [${x.shape}] and output [${y.shape}] differ in size`);
      if (x.dtype === DType.FLOAT32) {
        if (!(y.scale > 0)) fail('E_PARAM', `${what}: output scale ${y.scale} must be positive`);
        if (y.zeroPoint < qmin(y.dtype) || y.zeroPoint > qmax(y.dtype)) fail('E_PARAM', `${what}: output zero point ${y.zeroPoint} out of range`);
      } else {
        range('inputOffset', -qmax(x.dtype), -qmin(x.dtype));
        range('outputOffset', qmin(y.dtype), qmax(y.dtype));
        multiplierParam('multiplier', 'shift');
      }
      return;
    }
    case 'DEQUANTIZE': {
      const x = t(op.inputs[0]!);
      const y = t(op.outputs[0]!);
      if (elements(x) !== elements(y)) shapeErr(`input [${x.shape}] and output [${y.shape}] differ in size`);
      return;
    }
  }
}
