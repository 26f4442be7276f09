// Arena planning at pack time: every activation gets a byte offset in one block
// of memory, reused across tensors whose lifetimes do not overlap.
//
// 1. Buffers: a RESHAPE output shares its input's buffer; an in-place op's
//    output (op table `inPlace`) shares its first input's buffer when that input
//    dies at this op and has the same size.
// 2. Lifetimes: a buffer lives from the op that first writes it to the op that
//    last reads it; model inputs from the start, model outputs to the end,
//    scratch tensors only during their op.
// 3. Placement: greedy by size, largest first, each at the lowest 16-byte
//    aligned offset free for its whole lifetime.
import { DTYPE_BYTES, DTYPE_NAMES } from '../../src/format/dtypes.js';
import type { GraphBuilder, TensorId } from '../pack/graph.js';

export interface ArenaBuffer {
  tensors: TensorId[];
  bytes: number;
  first: number;
  last: number;
  offset: number;
}

export interface ArenaPlan {
  arenaBytes: number;
  /** Arena offset per tensor id (undefined for constants). */
  offsets: (number | undefined)[];
  buffers: ArenaBuffer[];
  /** Op index where the most bytes are live. */
  peakOp: number;
  describePeak(g: GraphBuilder): string;
}

const ALIGN = 16;
const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export function planArena(g: GraphBuilder): ArenaPlan {
  const n = g.tensors.length;
  const end = g.ops.length; // model outputs live until after the last op
  const bufferOf = new Int32Array(n).fill(-1);
  const buffers: ArenaBuffer[] = [];
  const isArena = (id: TensorId) => !g.tensors[id]!.data;
  const lastUse = new Int32Array(n).fill(-1);
  g.ops.forEach((o, i) => o.inputs.forEach((id) => id !== undefined && (lastUse[id] = i)));
  // A buffer's last use is the last use of any tensor sharing it (RESHAPE aliases).
  const newBuffer = (id: TensorId, first: number) => {
    buffers.push({ tensors: [id], bytes: bytesOf(g, id), first, last: first, offset: 0 });
    bufferOf[id] = buffers.length - 1;
  };
  const join = (id: TensorId, buf: number) => {
    bufferOf[id] = buf;
    buffers[buf]!.tensors.push(id);
  };

  for (const id of g.inputs) if (bufferOf[id] < 0) newBuffer(id, 0);
  g.ops.forEach((o, i) => {
    const first = o.inputs[0];
    for (const y of o.outputs) {
      if (!isArena(y) || bufferOf[y] >= 0) continue;
      const alias = g.tensors[y]!.aliasOf;
      if (alias !== undefined && bufferOf[alias] >= 0) {
        join(y, bufferOf[alias]);
        continue;
      }
      if (
        o.def.inPlace &&
        first !== undefined &&
        isArena(first) &&
        bufferOf[first] >= 0 &&
        !g.outputs.includes(first) &&
        !g.inputs.includes(first) &&
        buffers[bufferOf[first]]!.tensors.every((t) => lastUse[t]! <= i && !g.outputs.includes(t)) &&
        buffers[bufferOf[first]]!.bytes === bytesOf(g, y)
      ) {
        join(y, bufferOf[first]);
        continue;
      }
      newBuffer(y, i);
    }
    for (const s of o.temps) if (bufferOf[s] < 0) newBuffer(s, i);
  });
  // Arena tensors nobody writes (unused inputs of no op) still need a place.
  for (let id = 0; id < n; id++) if (isArena(id) && bufferOf[id] < 0) newBuffer(id, 0);

  for (const b of buffers) {
    for (const id of b.tensors) {
      b.last = Math.max(b.last, lastUse[id]!);
      if (g.outputs.includes(id)) b.last = end;
    }
  }

  // Greedy placement, largest first (ties: earliest first).
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b]!.bytes - buffers[a]!.bytes || buffers[a]!.first - buffers[b]!.first);
  const placed: ArenaBuffer[] = [];
  let arenaBytes = 0;
  for (const i of order) {
    const b = buffers[i]!;
    const live = placed.filter((p) => p.first <= b.last && b.first <= p.last).sort((x, y) => x.offset - y.offset);
    let offset = 0;
    for (const p of live) {
      if (offset + b.bytes <= p.offset) break;
      offset = Math.max(offset, align(p.offset + p.bytes));
    }
    b.offset = offset;
    placed.push(b);
    arenaBytes = Math.max(arenaBytes, align(offset + b.bytes));
  }

  const offsets: (number | undefined)[] = new Array(n).fill(undefined);
  for (const b of buffers) for (const id of b.tensors) offsets[id] = b.offset;

  let peakOp = 0;
  let peakBytes = -1;
  for (let i = 0; i < Math.max(1, g.ops.length); i++) {
    const live = buffers.filter((b) => b.first <= i && i <= b.last).reduce((s, b) => s + b.bytes, 0);
    if (live > peakBytes) [peakBytes, peakOp] = [live, i];
  }

  return {
    arenaBytes,
    offsets,
    buffers,
    peakOp,
    describePeak(graph: GraphBuilder): string {
      const live = buffers.filter((b) => b.first <= peakOp && peakOp <= b.last).sort((a, b) => b.bytes - a.bytes);
      const op = graph.ops[peakOp];
      const scratch = new Set(graph.ops.flatMap((o) => o.temps));
      const largest = live.slice(0, 6);
      return [
        `Peak at op ${peakOp}${op ? ` (${op.label}, ${op.name})` : ''}: ${peakBytes} bytes live in ${live.length} tensors. Largest:`,
        ...largest.map((b) => {
          const t = graph.tensors[b.tensors[0]!]!;
          return `  ${t.name} [${t.shape}] ${DTYPE_NAMES[t.dtype]}: ${b.bytes} bytes${scratch.has(b.tensors[0]!) ? " (the op's working space)" : ''}`;
        }),
        'To fit: shrink the largest activations (fewer channels, stride or pool earlier, smaller input), or raise the budget.' +
          (largest.some((b) => scratch.has(b.tensors[0]!)) ? ' A convolution\'s working space grows with its filter size times its input channels.' : ''),
      ].join('\n');
    },
  };
}

function bytesOf(g: GraphBuilder, id: TensorId): number {
  const t = g.tensors[id]!;
  return t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
}
