// The interpreter's dispatch: opcode → the op's check (at load) and kernel (at run).
import { OPC_CONV_2D, OPC_DEPTHWISE_CONV_2D, OPC_FULLY_CONNECTED, OPC_MAX_POOL_2D, OPC_AVERAGE_POOL_2D, OPC_MEAN, OPC_ADD, OPC_MUL, OPC_CONCATENATION, OPC_PAD, OPC_SOFTMAX, OPC_LOOKUP, OPC_QUANTIZE, OPC_DEQUANTIZE, OPC_RESHAPE, E_OP } from './generated/format';
import { fail } from './errors';
import { checkReshape } from './ops/reshape';
import { checkConv2d, evalConv2d } from './ops/conv_2d';
import { checkDepthwiseConv2d, evalDepthwiseConv2d } from './ops/depthwise_conv_2d';
import { checkFullyConnected, evalFullyConnected } from './ops/fully_connected';
import { checkMaxPool2d, evalMaxPool2d } from './ops/max_pool_2d';
import { checkAveragePool2d, evalAveragePool2d } from './ops/average_pool_2d';
import { checkMean, evalMean } from './ops/mean';
import { checkAdd, evalAdd } from './ops/add';
import { checkMul, evalMul } from './ops/mul';
import { checkConcatenation, evalConcatenation } from './ops/concatenation';
import { checkPad, evalPad } from './ops/pad';
import { checkSoftmax, evalSoftmax } from './ops/softmax';
import { checkLookup, evalLookup } from './ops/lookup';
import { checkQuantize, evalQuantize } from './ops/quantize';
import { checkDequantize, evalDequantize } from './ops/dequantize';

export function checkOp(opcode: i32, op: usize): i32 {
  switch (opcode) {
    case OPC_CONV_2D: return checkConv2d(op);
    case OPC_DEPTHWISE_CONV_2D: return checkDepthwiseConv2d(op);
    case OPC_FULLY_CONNECTED: return checkFullyConnected(op);
    case OPC_MAX_POOL_2D: return checkMaxPool2d(op);
    case OPC_AVERAGE_POOL_2D: return checkAveragePool2d(op);
    case OPC_MEAN: return checkMean(op);
    case OPC_ADD: return checkAdd(op);
    case OPC_MUL: return checkMul(op);
    case OPC_CONCATENATION: return checkConcatenation(op);
    case OPC_PAD: return checkPad(op);
    case OPC_SOFTMAX: return checkSoftmax(op);
    case OPC_LOOKUP: return checkLookup(op);
    case OPC_QUANTIZE: return checkQuantize(op);
    case OPC_DEQUANTIZE: return checkDequantize(op);
    case OPC_RESHAPE: return checkReshape(op);
  }
  return fail(E_OP, -1, opcode);
}

export function evalOp(opcode: i32, op: usize): void {
  switch (opcode) {
    case OPC_CONV_2D: evalConv2d(op); break;
    case OPC_DEPTHWISE_CONV_2D: evalDepthwiseConv2d(op); break;
    case OPC_FULLY_CONNECTED: evalFullyConnected(op); break;
    case OPC_MAX_POOL_2D: evalMaxPool2d(op); break;
    case OPC_AVERAGE_POOL_2D: evalAveragePool2d(op); break;
    case OPC_MEAN: evalMean(op); break;
    case OPC_ADD: evalAdd(op); break;
    case OPC_MUL: evalMul(op); break;
    case OPC_CONCATENATION: evalConcatenation(op); break;
    case OPC_PAD: evalPad(op); break;
    case OPC_SOFTMAX: evalSoftmax(op); break;
    case OPC_LOOKUP: evalLookup(op); break;
    case OPC_QUANTIZE: evalQuantize(op); break;
    case OPC_DEQUANTIZE: evalDequantize(op); break;
    // RESHAPE: the output aliases the input's bytes; nothing to do.
  }
}
