// Shared by the import tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportTfjs } from '../../quantize/export/tfjs.js';
import { importModel } from '../../quantize/import/index.js';

/** Saves a training-library model as a TF.js layers model; returns its model.json path. */
export function writeTfjs(floatDir: string, to: string): string {
  const m = importModel(floatDir);
  if (m.kind !== 'float') throw new Error('float model expected');
  const files = exportTfjs(m.graph);
  mkdirSync(to, { recursive: true });
  writeFileSync(join(to, 'model.json'), JSON.stringify(files.json));
  writeFileSync(join(to, files.shardName), files.shard);
  return join(to, 'model.json');
}

