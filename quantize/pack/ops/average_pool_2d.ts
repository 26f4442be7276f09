// AVERAGE_POOL_2D at pack time (see max_pool_2d.ts): same scale and zero point
// in and out, output shape from the padding, clamp from the fused activation.
import type { GraphBuilder, TensorId } from '../graph.js';
import { pool2d, type PoolOptions } from './max_pool_2d.js';

export function averagePool2d(g: GraphBuilder, x: TensorId, o: PoolOptions): TensorId {
  return pool2d(g, 'AVERAGE_POOL_2D', x, o);
}
