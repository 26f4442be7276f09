// A tensor is a float32 array with a shape. Tensors made by ops while recording
// remember how they were made (a Node), so backward() can walk the graph in
// reverse and apply each op's gradient rule (all rules live in ops.ts).
import { fail } from './errors.js';

export type Shape = readonly number[];

export interface Node {
  op: string;
  inputs: Tensor[];
  /** Given d(loss)/d(output), returns d(loss)/d(input) per input (null where not needed). */
  backward(g: Float32Array): (Float32Array | null)[];
}

export class Tensor {
  grad: Float32Array | null = null;
  node: Node | null = null;

  constructor(
    public data: Float32Array,
    public shape: Shape,
    public requiresGrad = false,
  ) {
    const n = sizeOf(shape);
    if (n !== data.length) fail('E_SHAPE', `tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${n}`);
  }

  get size(): number {
    return this.data.length;
  }

  static zeros(shape: Shape, requiresGrad = false): Tensor {
    return new Tensor(new Float32Array(sizeOf(shape)), shape, requiresGrad);
  }

  static from(values: ArrayLike<number>, shape?: Shape): Tensor {
    return new Tensor(Float32Array.from(values), shape ?? [values.length]);
  }

  static scalar(v: number): Tensor {
    return new Tensor(Float32Array.of(v), []);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) fail('E_SHAPE', `item() needs a one-element tensor, got shape [${this.shape.join(', ')}]`);
    return this.data[0]!;
  }

  /** Computes gradients of this (scalar) tensor with respect to every tensor it depends on. */
  backward(): void {
    if (this.size !== 1) fail('E_SHAPE', `backward() starts from a scalar loss, got shape [${this.shape.join(', ')}]`);
    const order = topoSort(this);
    this.grad = Float32Array.of(1);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const node = t.node!;
      if (!t.grad) continue;
      const grads = node.backward(t.grad);
      node.inputs.forEach((input, k) => {
        const g = grads[k];
        if (!g || !input.requiresGrad) return;
        if (!input.grad) input.grad = g === t.grad ? g.slice() : g;
        else {
          const acc = input.grad;
          for (let j = 0; j < acc.length; j++) acc[j] += g[j]!;
        }
      });
      // Intermediate results release their gradient and graph once used.
      t.grad = null;
      t.node = null;
    }
  }
}

function topoSort(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep models must not overflow the call stack.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const u = inputs[i]!;
      if (!seen.has(u) && u.node) {
        seen.add(u);
        stack.push([u, 0]);
      }
    } else {
      stack.pop();
      if (t.node) order.push(t);
    }
  }
  return order;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

let recording = true;

/** Whether ops currently record graphs for backward(). */
export function isRecording(): boolean {
  return recording;
}

/** Runs f without recording graphs (inference, evaluation). */
export function noGrad<T>(f: () => T): T {
  const was = recording;
  recording = false;
  try {
    return f();
  } finally {
    recording = was;
  }
}
