// The host's only access to the file system (Node). The browser bundle
// (web/build.mjs) replaces this module with node-files.browser.ts, so no Node
// built-in reaches the browser path.

export const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** The bytes of a local file. */
export async function readFileBytes(path: string | URL): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  return new Uint8Array(await readFile(path));
}

/** Absolute path of a file under the package's build/ folder. */
export async function buildFilePath(file: string): Promise<string> {
  const { buildPath } = await import('./locate.js');
  return buildPath(file);
}
