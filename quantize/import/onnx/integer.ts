// ONNX's integer operators (QLinearConv, QLinearMatMul, QuantizeLinear,
// DequantizeLinear) as minnow ops. uint8 tensors become int8 by subtracting 128
// from values and zero points, which leaves every (q - zero point) unchanged.
// Weight-like operands (filters, B matrices, scales, zero points) must be
// constants: initializers, or values supplied for graph inputs.
import { DType } from '../../../src/format/dtypes.js';
import { quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import { GraphBuilder, type TensorId } from '../../pack/graph.js';
import { conv2dScratch } from '../../pack/ops/conv_2d.js';
import { OnnxError, OnnxType, onnxTypeName, type DecodedTensor, type ModelProto } from './proto.js';

type Attr = { name?: string | null; i?: number | { toNumber(): number } | null; ints?: (number | { toNumber(): number })[] | null; s?: Uint8Array | null };
const num = (v: number | { toNumber(): number } | null | undefined) => (v == null ? undefined : typeof v === 'number' ? v : v.toNumber());

/** int8 values and zero point from an int8 or uint8 ONNX tensor. */
function asInt8(t: DecodedTensor): Int8Array {
  if (t.dataType === OnnxType.INT8) return t.data as Int8Array;
  if (t.dataType === OnnxType.UINT8) return Int8Array.from(t.data as Uint8Array, (v) => v - 128);
  throw new OnnxError('E_ONNX_TYPE', `tensor "${t.name}" is ${onnxTypeName(t.dataType)}; expected int8 or uint8`);
}
const zeroPointOf = (t: DecodedTensor | undefined) => (t ? asInt8(t) : new Int8Array(1));
const scalesOf = (t: DecodedTensor) => Float32Array.from(t.data as Float32Array);

export interface IntegerGraph {
  graph: GraphBuilder;
  /** Graph inputs fed at run time (by ONNX name), and whether each is uint8 (feed value - 128). */
  /** `nchw`: the ONNX tensor is NCHW and minnow's is NHWC (transpose the data). */
  inputs: { name: string; uint8: boolean; float: boolean; nchw: boolean }[];
  /** Whether each output is uint8 (add 128 to what the model returns). */
  outputs: { name: string; uint8: boolean; float: boolean; nchw: boolean }[];
}

/**
 * Converts a graph of ONNX integer ops. `constants` holds every operand that is
 * not fed at run time (initializers and given inputs); `runtime` names the
 * graph inputs that stay inputs.
 */
export function integerGraph(model: ModelProto, constants: Map<string, DecodedTensor>, runtime: DecodedTensor[]): IntegerGraph {
  const g = new GraphBuilder();
  const ids = new Map<string, TensorId>();
  const io: IntegerGraph = { graph: g, inputs: [], outputs: [] };
  const isUint8 = new Map<string, boolean>();
  const scaleOf = new Map<string, number>();
  const zpOf = new Map<string, number>();
  const need = (name: string | undefined, what: string): DecodedTensor => {
    const t = name ? constants.get(name) : undefined;
    if (!t) throw new OnnxError('E_ONNX_UNSUPPORTED', `${what} ("${name}") must be a constant (an initializer)`);
    return t;
  };
  const nodes = model.graph?.node ?? [];
  // Runtime inputs get their quantization from the node that reads them.
  for (const t of runtime) {
    const reader = nodes.find((n) => n.input?.[0] === t.name);
    const float = t.dataType === OnnxType.FLOAT;
    if (!float && t.dataType !== OnnxType.INT8 && t.dataType !== OnnxType.UINT8)
      throw new OnnxError('E_ONNX_TYPE', `input "${t.name}" is ${onnxTypeName(t.dataType)}`);
    const scale = float ? 0 : need(reader?.input?.[1] ?? undefined, `the scale of "${t.name}"`).data[0] as number;
    const zp = float ? 0 : reader?.input?.[2] ? zeroPointOf(constants.get(reader.input[2]!))[0]! : t.dataType === OnnxType.UINT8 ? -128 : 0;
    const nchw = reader?.opType === 'QLinearConv';
    const dims = t.dims.length ? t.dims : [1];
    const shape = nchw ? [dims[0]!, dims[2]!, dims[3]!, dims[1]!] : dims;
    const id = g.input(t.name, float ? DType.FLOAT32 : DType.INT8, shape, { scale, zeroPoint: zp });
    ids.set(t.name, id);
    io.inputs.push({ name: t.name, uint8: t.dataType === OnnxType.UINT8, float, nchw });
    isUint8.set(t.name, t.dataType === OnnxType.UINT8);
  }

  for (const n of nodes) {
    const op = n.opType ?? '';
    const ins = (n.input ?? []) as string[];
    const out = (n.output ?? [])[0]!;
    const attrs = new Map(((n.attribute ?? []) as Attr[]).map((a) => [a.name ?? '', a]));
    const x = ids.get(ins[0]!);
    if (x === undefined) throw new OnnxError('E_ONNX_UNSUPPORTED', `${op} "${n.name}": input "${ins[0]}" must be a graph input`);
    const xs = g.tensor(x);
    for (const k of ['block_size', 'output_dtype'])
      if (attrs.has(k) && num(attrs.get(k)!.i)) throw new OnnxError('E_ONNX_UNSUPPORTED', `${op} "${n.name}": attribute ${k} is not supported (per-tensor int8/uint8 only)`);
    if (op === 'QuantizeLinear' || op === 'DequantizeLinear') {
      const s = need(ins[1], 'the scale');
      if (s.data.length !== 1) throw new OnnxError('E_ONNX_UNSUPPORTED', `${op} "${n.name}": per-axis scales (${s.data.length}) are not supported; use one scale per tensor`);
    }
    switch (op) {
      case 'QuantizeLinear': {
        const scale = need(ins[1], 'y_scale').data[0] as number;
        const zpT = ins[2] ? need(ins[2], 'y_zero_point') : undefined;
        const uint8 = !zpT || zpT.dataType === OnnxType.UINT8;
        const zp = zeroPointOf(zpT)[0]!;
        const y = g.activation(out, DType.INT8, xs.shape, { scale, zeroPoint: uint8 && !zpT ? -128 : zp });
        g.addOp('QUANTIZE', [x], [y], { inputOffset: 0, outputOffset: 0, multiplier: 0, shift: 0 }, { label: n.name ?? op });
        ids.set(out, y);
        isUint8.set(out, uint8);
        break;
      }
      case 'DequantizeLinear': {
        const y = g.activation(out, DType.FLOAT32, xs.shape);
        g.addOp('DEQUANTIZE', [x], [y], {}, { label: n.name ?? op });
        ids.set(out, y);
        isUint8.set(out, false);
        scaleOf.set(out, 0);
        break;
      }
      case 'QLinearMatMul':
      case 'QLinearConv': {
        const [, , , wName, wsName, wzName, ysName, yzName, bName] = ins;
        const w = need(wName, 'the weights');
        const ws = scalesOf(need(wsName, 'w_scale'));
        const wz = zeroPointOf(wzName ? need(wzName, 'w_zero_point') : undefined);
        const ys = need(ysName, 'y_scale').data[0] as number;
        const yzT = yzName ? need(yzName, 'y_zero_point') : undefined;
        const yz = zeroPointOf(yzT)[0]!;
        const wq = asInt8(w);
        if (new Set(wz).size > 1) throw new OnnxError('E_ONNX_UNSUPPORTED', `${op} "${n.name}": per-channel weight zero points are not supported`);
        let filter: Int8Array;
        let filterShape: number[];
        let outShape: number[];
        let oc: number;
        let extra: Record<string, number> = {};
        if (op === 'QLinearMatMul') {
          // B [K, N] → filter [N, K]; A [..., K] rows.
          if (w.dims.length > 3) throw new OnnxError('E_ONNX_UNSUPPORTED', `${op}: B of rank ${w.dims.length}`);
          const [K, N] = w.dims.slice(-2) as [number, number];
          const batches = w.dims.length === 3 ? w.dims[0]! : 1;
          if (batches !== 1) {
            // Batched B: each batch is identical or the model is out of scope.
            for (let bi = 1; bi < batches; bi++)
              for (let i = 0; i < K * N; i++)
                if (wq[bi * K * N + i] !== wq[i]) throw new OnnxError('E_ONNX_UNSUPPORTED', `${op} "${n.name}": batched B with different batches`);
          }
          filter = new Int8Array(N * K);
          for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) filter[j * K + k] = wq[k * N + j]!;
          filterShape = [N, K];
          oc = N;
          outShape = [...xs.shape.slice(0, -1), N];
        } else {
          // ONNX conv: X [N, C, H, W], W [M, C/group, kH, kW] → NHWC / OHWI.
          const group = num(attrs.get('group')?.i) ?? 1;
          if (group !== 1) throw new OnnxError('E_ONNX_UNSUPPORTED', `${op} "${n.name}": group ${group} (only 1 here)`);
          const [M, C, KH, KW] = w.dims as [number, number, number, number];
          filter = new Int8Array(wq.length);
          for (let m = 0; m < M; m++)
            for (let c = 0; c < C; c++)
              for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) filter[((m * KH + i) * KW + j) * C + c] = wq[((m * C + c) * KH + i) * KW + j]!;
          filterShape = [M, KH, KW, C];
          oc = M;
          const strides = (attrs.get('strides')?.ints ?? [1, 1]).map((v) => num(v)!);
          const dil = (attrs.get('dilations')?.ints ?? [1, 1]).map((v) => num(v)!);
          const pads = (attrs.get('pads')?.ints ?? [0, 0, 0, 0]).map((v) => num(v)!);
          const [N, H, W] = [xs.shape[0]!, xs.shape[1]!, xs.shape[2]!];
          const OH = Math.floor((H + pads[0]! + pads[2]! - ((KH - 1) * dil[0]! + 1)) / strides[0]!) + 1;
          const OW = Math.floor((W + pads[1]! + pads[3]! - ((KW - 1) * dil[1]! + 1)) / strides[1]!) + 1;
          outShape = [N, OH, OW, M];
          extra = { strideH: strides[0]!, strideW: strides[1]!, dilationH: dil[0]!, dilationW: dil[1]!, padTop: pads[0]!, padLeft: pads[1]! };
        }
        const perChannel = ws.length > 1;
        const multipliers = new Int32Array(oc);
        const shifts = new Int32Array(oc);
        for (let c = 0; c < oc; c++) {
          const q = quantizeMultiplier((xs.scale * ws[perChannel ? c : 0]!) / ys);
          multipliers[c] = q.multiplier;
          shifts[c] = q.shift;
        }
        const fid = g.constant(`${wName}`, DType.INT8, filterShape, filter, { scale: ws[0]!, zeroPoint: wz[0]! });
        const bias = bName ? g.constant(bName, DType.INT32, [oc], Int32Array.from(need(bName, 'bias').data as Int32Array)) : undefined;
        const mid = g.constant(`${n.name}_multiplier`, DType.INT32, [oc], multipliers);
        const sid = g.constant(`${n.name}_shift`, DType.INT32, [oc], shifts);
        const y = g.activation(out, DType.INT8, outShape, { scale: ys, zeroPoint: yz });
        const common = { inputOffset: -xs.zeroPoint, filterOffset: -wz[0]!, outputOffset: yz, actMin: -128, actMax: 127 };
        if (op === 'QLinearMatMul') g.addOp('FULLY_CONNECTED', [x, fid, bias, mid, sid], [y], common, { label: n.name ?? op });
        else {
          // The SIMD kernels' scratch, as the packer plans it.
          const scratch = conv2dScratch(g, `${n.name ?? op}/scratch`, {
            filter: filterShape, input: xs.shape, output: outShape, stride: [extra.strideH!, extra.strideW!], dilation: [extra.dilationH!, extra.dilationW!], filterOffset: common.filterOffset,
          });
          g.addOp('CONV_2D', [x, fid, bias, mid, sid], [y], { ...extra, ...common }, { label: n.name ?? op, temps: [scratch] });
        }
        ids.set(out, y);
        isUint8.set(out, !yzT || yzT.dataType === OnnxType.UINT8);
        break;
      }
      default:
        throw new OnnxError('E_ONNX_UNSUPPORTED', `op ${op} ("${n.name}") is not an integer op this converter handles`);
    }
  }
  for (const o of model.graph?.output ?? []) {
    const id = ids.get(o.name!);
    if (id === undefined) throw new OnnxError('E_ONNX_GRAPH', `output "${o.name}" is not produced by any node`);
    g.output(id, o.name!);
    const producer = nodes.find((n) => n.output?.[0] === o.name);
    io.outputs.push({ name: o.name!, uint8: !!isUint8.get(o.name!), float: g.tensor(id).dtype === DType.FLOAT32, nchw: producer?.opType === 'QLinearConv' });
  }
  return io;
}
