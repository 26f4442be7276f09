// The reference kernels by op name: the definition of what every op computes.
import type { OpName } from '../format/ops.js';
import type { RefKernel } from './types.js';
import { conv2d } from './ops/conv_2d.js';
import { depthwiseConv2d } from './ops/depthwise_conv_2d.js';
import { fullyConnected } from './ops/fully_connected.js';
import { maxPool2d } from './ops/max_pool_2d.js';
import { averagePool2d } from './ops/average_pool_2d.js';
import { mean } from './ops/mean.js';
import { add } from './ops/add.js';
import { mul } from './ops/mul.js';
import { concatenation } from './ops/concatenation.js';
import { pad } from './ops/pad.js';
import { softmax } from './ops/softmax.js';
import { lookup } from './ops/lookup.js';
import { quantize } from './ops/quantize.js';
import { dequantize } from './ops/dequantize.js';

export const REFERENCE_KERNELS: Record<Exclude<OpName, 'RESHAPE'>, RefKernel> = {
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwiseConv2d,
  FULLY_CONNECTED: fullyConnected,
  MAX_POOL_2D: maxPool2d,
  AVERAGE_POOL_2D: averagePool2d,
  MEAN: mean,
  ADD: add,
  MUL: mul,
  CONCATENATION: concatenation,
  PAD: pad,
  SOFTMAX: softmax,
  LOOKUP: lookup,
  QUANTIZE: quantize,
  DEQUANTIZE: dequantize,
};
