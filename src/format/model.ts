// The in-memory form of a .mnw file, as the writer takes it and the reader returns it.
import type { DType } from './dtypes.js';
import type { Location } from './layout.js';

export interface PerChannelQuant {
  axis: number;
  scales: Float32Array;
  zeroPoints: Int32Array;
}

export interface TensorRecord {
  dtype: DType;
  shape: number[];
  location: Location;
  /** Byte offset in the arena (ARENA) or in the constant section (CONST). */
  offset: number;
  bytes: number;
  scale: number;
  zeroPoint: number;
  perChannel?: PerChannelQuant;
}

export interface OpRecord {
  opcode: number;
  inputs: number[];
  outputs: number[];
  temps: number[];
  params: number[];
}

export interface IoInfo {
  name: string;
  tensor: number;
}

/** Free-form information about the model, stored as JSON. */
export interface Metadata {
  /** Names of the model inputs and outputs, in io order. */
  inputs: string[];
  outputs: string[];
  /** A name per tensor (index = tensor index). */
  tensorNames: string[];
  /** A name per op (layer names from the source model). */
  opNames?: string[];
  /** Class labels of a classifier's output. */
  labels?: string[];
  /** How raw data becomes the model input (e.g. { kind: "image", scale: 1/255 }). */
  preprocessing?: Record<string, unknown>;
  /** The tool and source that made the file. */
  producer?: string;
  [key: string]: unknown;
}

export interface MnwFile {
  versionMajor: number;
  versionMinor: number;
  arenaBytes: number;
  macs: number;
  crc32: number;
  fileBytes: number;
  inputs: number[];
  outputs: number[];
  tensors: TensorRecord[];
  ops: OpRecord[];
  /** The constant section; CONST tensors' offsets are relative to it. */
  constants: Uint8Array;
  metadata: Metadata;
}

/** What the writer needs: constants are given as bytes per tensor. */
export interface MnwSpec {
  arenaBytes: number;
  macs?: number;
  inputs: number[];
  outputs: number[];
  tensors: (Omit<TensorRecord, 'offset' | 'bytes'> & { offset?: number; bytes?: number; data?: Uint8Array })[];
  ops: OpRecord[];
  metadata: Metadata;
}
