// Browser stand-in for node-files.ts (swapped in by web/build.mjs): there is no
// file system, so models and wasm builds come from bytes, Responses or URLs.

export const isNode = false;

export async function readFileBytes(path: string | URL): Promise<Uint8Array> {
  throw new Error(`no file system in this engine: cannot read ${String(path)}`);
}

export async function buildFilePath(file: string): Promise<string> {
  throw new Error(`no file system in this engine: cannot locate ${file}`);
}
