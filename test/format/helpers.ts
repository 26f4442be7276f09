// Shared by the format tests: a small valid model, and the wasm loader called
// directly on raw bytes (without the TypeScript reader in front of it).
import { DType } from '../../src/format/dtypes.js';
import { H } from '../../src/format/layout.js';
import { compileBuild, type BuildName, type RuntimeExports } from '../../src/runtime/wasm.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';

/** A model with arena tensors, an alias, constants and per-channel quantization. */
export function sampleGraph(): GraphBuilder {
  const g = new GraphBuilder();
  const x = g.input('x', DType.INT8, [1, 4, 4, 3], { scale: 0.02, zeroPoint: -3 });
  g.constant('w', DType.INT8, [2, 3], new Int8Array([1, -2, 3, -4, 5, -6]), {
    scale: 0,
    zeroPoint: 0,
    perChannel: { axis: 0, scales: new Float32Array([0.1, 0.2]), zeroPoints: new Int32Array([0, 0]) },
  });
  const y = g.reshape(x, [16, 3], 'flat');
  g.output(y, 'y');
  g.meta.labels = ['a', 'b', 'c'];
  return g;
}

export interface RawLoad {
  code: number;
  run?: () => number;
}

/** Binds raw bytes in the wasm loader of a build; the memory holds at most `capArena` arena bytes. */
export async function wasmBind(bytes: Uint8Array, build: BuildName, capArena = 1 << 20): Promise<RawLoad> {
  const b = (await compileBuild(build))!;
  const modelAt = Math.ceil(b.staticsEnd / 16) * 16;
  const arenaAt = Math.ceil((modelAt + bytes.length) / 16) * 16;
  const declared = bytes.length >= 28 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(H.arenaBytes, true) : 0;
  const arenaSize = Math.min(declared, capArena);
  const pages = Math.ceil((arenaAt + arenaSize + 1) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const x = (await WebAssembly.instantiate(b.module, { env: { memory } })).exports as unknown as RuntimeExports;
  new Uint8Array(memory.buffer).set(bytes, modelAt);
  const code = x.bind(modelAt, bytes.length, arenaAt, pages * 65536 - arenaAt);
  return { code, run: code === 0 ? () => x.run() : undefined };
}
