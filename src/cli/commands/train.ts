// minnow train <model-folder>: runs the folder's recipe.json (see src/train/recipe.ts).
import { runRecipe } from '../../train/recipe.js';
import type { CommandSpec } from '../options.js';

export const train: CommandSpec = {
  name: 'train',
  args: ['<model-folder>'],
  summary: 'train a float model from its recipe (e.g. models/mnist-cnn) and write model.json, weights.bin, metrics.json',
  options: [
    { name: 'epochs', short: 'e', kind: 'number', value: '<n>', description: "override the recipe's number of epochs" },
    { name: 'limit', kind: 'number', value: '<n>', description: 'use only the first n samples of each split (a quick check)' },
    { name: 'out', short: 'o', kind: 'string', value: '<dir>', description: 'write the results here instead of the model folder' },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'no progress output' },
  ],
  async run(args, opts) {
    runRecipe(args[0]!, {
      epochs: opts.epochs as number | undefined,
      limit: opts.limit as number | undefined,
      out: opts.out as string | undefined,
      verbose: opts.quiet ? 0 : 1,
    });
    return 0;
  },
};
