// The demo's Worker: owns the MNIST model and classifies 28x28 images.
import { loadModel, type Model } from './minnow.js';
import type { FromWorker, ToWorker } from './protocol.js';

let model: Model | undefined;
let fromSoftmax = false;

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

function softmax(x: Float32Array): number[] {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  const e = Array.from(x, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  try {
    if (msg.type === 'load') {
      model?.dispose();
      model = await loadModel(new URL(msg.url, self.location.href), { build: msg.build });
      const ops = model.ops;
      fromSoftmax = ops.length > 0 && ops[ops.length - 1]!.op === 'SOFTMAX';
      const n = model.outputs[0]!.size;
      post({
        type: 'loaded',
        build: model.build,
        memoryBytes: model.memoryBytes,
        arenaBytes: model.arenaBytes,
        fileBytes: model.fileBytes,
        inputs: model.inputs,
        outputs: model.outputs,
        labels: model.metadata.labels ?? Array.from({ length: n }, (_, i) => String(i)),
      });
    } else if (msg.type === 'run') {
      if (!model) throw new Error('no model loaded');
      let t0 = performance.now();
      const [out] = model.run(msg.pixels);
      let elapsed = performance.now() - t0;
      // Timers are coarse (0.1 ms without cross-origin isolation): when one run
      // is too short to measure, time a few more on the same input.
      let reps = 1;
      if (elapsed < 1) {
        t0 = performance.now();
        reps = 0;
        do {
          model.invoke();
          reps++;
          elapsed = performance.now() - t0;
        } while (elapsed < 2 && reps < 1000);
      }
      const ms = elapsed / reps;
      const values = out!.values;
      // A model that ends in SOFTMAX gives probabilities; otherwise the outputs are logits.
      const probs = fromSoftmax ? Array.from(values) : softmax(values);
      post({ type: 'result', id: msg.id, probs, raw: Array.from(out!.raw as ArrayLike<number>), ms });
    }
  } catch (e) {
    post({ type: 'error', id: msg.type === 'run' ? msg.id : undefined, message: (e as Error).message ?? String(e) });
  }
};
