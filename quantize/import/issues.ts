// What importers report: every op of a foreign model with whether minnow can
// take it, and — for the ones it cannot — why and what to do. An import that
// meets unsupported ops fails once, listing all of them.
import { MinnowError } from '../../src/format/errors.js';

export interface OpStatus {
  /** Node / layer name (or "op <index>" for unnamed TFLite operators). */
  name: string;
  /** The source format's op type (Conv, CONV_2D, Conv2D, ...). */
  op: string;
  supported: boolean;
  /** For unsupported ops: why, and what to do. */
  why?: string;
  fix?: string;
}

/** A model with ops or attributes minnow cannot import (all of them listed). */
export class ImportError extends MinnowError {
  constructor(
    code: string,
    message: string,
    readonly issues: OpStatus[] = [],
  ) {
    super(code, message);
  }
}

/** One op or attribute that cannot be imported: thrown inside an op's conversion, collected by the importer. */
export class Unsupported extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

export function formatIssues(model: string, issues: OpStatus[]): string {
  const bad = issues.filter((i) => !i.supported);
  return (
    `${model}: ${bad.length} op${bad.length === 1 ? '' : 's'} cannot be imported:\n` +
    bad.map((i) => `  "${i.name}" (${i.op}): ${i.why} — ${i.fix}`).join('\n')
  );
}

export function failIfUnsupported(model: string, ops: OpStatus[]): void {
  if (ops.some((o) => !o.supported)) throw new ImportError('E_IMPORT_UNSUPPORTED', formatIssues(model, ops), ops.filter((o) => !o.supported));
}
