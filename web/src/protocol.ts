// Messages between the demo page and its Worker.
import type { BuildChoice, BuildName, TensorDesc } from './minnow.js';

export type ToWorker =
  | { type: 'load'; url: string; build: BuildChoice }
  | { type: 'run'; id: number; pixels: Float32Array };

export interface ModelInfo {
  build: BuildName;
  memoryBytes: number;
  arenaBytes: number;
  fileBytes: number;
  inputs: TensorDesc[];
  outputs: TensorDesc[];
  labels: string[];
}

export type FromWorker =
  | ({ type: 'loaded' } & ModelInfo)
  | { type: 'result'; id: number; probs: number[]; raw: number[]; ms: number }
  | { type: 'error'; id?: number; message: string };
