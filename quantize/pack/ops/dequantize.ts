// DEQUANTIZE at pack time: a float32 tensor of the input's shape.
import { DType } from '../../../src/format/dtypes.js';
import type { GraphBuilder, TensorId } from '../graph.js';

export function dequantize(g: GraphBuilder, x: TensorId, name?: string): TensorId {
  const t = g.tensor(x);
  const y = g.activation(name ?? `${t.name}_float`, DType.FLOAT32, t.shape);
  g.addOp('DEQUANTIZE', [x], [y], {}, { label: name });
  return y;
}
