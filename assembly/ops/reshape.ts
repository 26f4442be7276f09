// RESHAPE: no kernel; the packer gives the output the input's bytes.
import { E_ARENA, E_SHAPE, T_LOCATION, T_OFFSET } from '../generated/format';
import { fail } from '../errors';
import { sameDtype } from '../checks';
import { opInput, opOutput, tensorBytes, tensorRecord } from '../model';

export function checkReshape(op: usize): i32 {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  const r = sameDtype(x, y);
  if (r) return r;
  if (tensorBytes(x) != tensorBytes(y)) return fail(E_SHAPE, y, tensorBytes(y));
  const rx = tensorRecord(x);
  const ry = tensorRecord(y);
  if (load<u8>(rx + T_LOCATION) != load<u8>(ry + T_LOCATION) || load<u32>(rx + T_OFFSET) != load<u32>(ry + T_OFFSET))
    return fail(E_ARENA, y, <i32>load<u32>(ry + T_OFFSET));
  return 0;
}
