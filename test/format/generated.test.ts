import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateAssemblyFormat } from '../../src/format/gen-assembly.js';
import { OPS } from '../../src/format/ops.js';
import { REFERENCE_KERNELS } from '../../src/reference/kernels.js';

describe('one op table', () => {
  it('assembly/generated/format.ts is up to date (run `npm run gen`)', () => {
    const committed = readFileSync(new URL('../../assembly/generated/format.ts', import.meta.url), 'utf8');
    expect(committed).toBe(generateAssemblyFormat());
  });

  it('every op has a reference kernel and a wasm check and kernel in the dispatch', () => {
    const dispatch = readFileSync(new URL('../../assembly/dispatch.ts', import.meta.url), 'utf8');
    for (const op of OPS) {
      if (op.name === 'RESHAPE') continue;
      expect(REFERENCE_KERNELS, op.name).toHaveProperty(op.name);
      expect(dispatch, op.name).toMatch(new RegExp(`case OPC_${op.name}: return check`));
      expect(dispatch, op.name).toMatch(new RegExp(`case OPC_${op.name}: eval`));
    }
  });

  it('ids and names are unique', () => {
    expect(new Set(OPS.map((o) => o.id)).size).toBe(OPS.length);
    expect(new Set(OPS.map((o) => o.name)).size).toBe(OPS.length);
  });
});
