// Just enough of vitest's test API to run test files inside a browser page:
// describe/it/test (with .each, .skip, .only treated as plain), hooks, and
// vitest's own `expect` (@vitest/expect on chai). The kernel test files
// (test/kernels/*.test.ts) are bundled against this module in place of
// 'vitest' (test/web/kernels.test.ts) and run unchanged.
import { chai, GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, getState, setState } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Fn = () => unknown;

interface Suite {
  name: string;
  file: string;
  parent?: Suite;
  children: (Suite | Test)[];
  beforeAll: Fn[];
  afterAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
}
interface Test {
  name: string;
  fn?: Fn;
  skip: boolean;
}

export interface TestResult {
  file: string;
  name: string;
  ok: boolean;
  skipped?: boolean;
  ms: number;
  error?: string;
}

const root: Suite = { name: '', file: '', children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
let current = root;
let file = '';

/** Names the file whose tests are collected next. */
export function setFile(name: string): void {
  file = name;
  const s: Suite = { name: '', file: name, parent: root, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
  root.children.push(s);
  current = s;
}

const format = (name: string, args: unknown[]) => {
  let i = 0;
  return name.replace(/%[sdifjo%]/g, (m) => (m === '%%' ? '%' : String(args[i++])));
};
const rows = (table: readonly unknown[]) => table.map((r) => (Array.isArray(r) ? r : [r]));

function suite(name: string, fn: Fn, skip = false): void {
  const s: Suite = { name, file, parent: current, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
  current.children.push(s);
  const prev = current;
  current = s;
  try {
    fn();
  } finally {
    current = prev;
  }
  if (skip) s.children = s.children.map((c) => ('children' in c ? c : { ...c, skip: true }));
}
function test(name: string, fn?: Fn, skip = false): void {
  current.children.push({ name, fn, skip: skip || !fn });
}
const withEach = <T extends (name: string, fn: Fn) => void>(base: T, skip: (n: string, f: Fn) => void) =>
  Object.assign(base, {
    skip,
    only: base,
    concurrent: base,
    sequential: base,
    todo: (name: string) => skip(name, () => {}),
    skipIf: (c: unknown) => (c ? skip : base),
    runIf: (c: unknown) => (c ? base : skip),
    each:
      (table: readonly unknown[]) =>
      (name: string, fn: (...a: unknown[]) => unknown) =>
        rows(table).forEach((args) => base(format(name, args), () => fn(...args))),
  });

export const describe = withEach((n: string, f: Fn) => suite(n, f), (n, f) => suite(n, f, true));
export const it = withEach((n: string, f: Fn) => test(n, f), (n, f) => test(n, f, true));
export { it as test };
export const beforeAll = (fn: Fn) => void current.beforeAll.push(fn);
export const afterAll = (fn: Fn) => void current.afterAll.push(fn);
export const beforeEach = (fn: Fn) => void current.beforeEach.push(fn);
export const afterEach = (fn: Fn) => void current.afterEach.push(fn);

type Expect = ((value: unknown, message?: string) => ReturnType<typeof chai.expect>) & Record<string, unknown>;
export const expect = ((value: unknown, message?: string) => {
  const { assertionCalls } = getState(expect as never);
  setState({ assertionCalls: assertionCalls + 1 }, expect as never);
  return chai.expect(value, message);
}) as Expect;
Object.assign(expect, chai.expect);
setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null }, expect as never);
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;
expect.unreachable = (message?: string) => chai.assert.fail(`expected${message ? ` "${message}" ` : ' '}not to be reached`);

/** Runs the collected tests of `files` (all when omitted), one after another. */
export async function runTests(files?: string[]): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const chain = (s: Suite | undefined, key: 'beforeEach' | 'afterEach'): Fn[] => (s ? [...chain(s.parent, key), ...s[key]] : []);
  const title = (s: Suite | undefined): string[] => (s && s.name ? [...title(s.parent), s.name] : []);
  async function run(s: Suite): Promise<void> {
    const setupError = await (async () => {
      try {
        for (const h of s.beforeAll) await h();
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    for (const c of s.children) {
      if ('children' in c) {
        await run(c);
        continue;
      }
      const name = [...title(s), c.name].join(' > ');
      if (c.skip) {
        results.push({ file: s.file, name, ok: true, skipped: true, ms: 0 });
        continue;
      }
      const t0 = performance.now();
      try {
        if (setupError) throw setupError;
        for (const h of chain(s, 'beforeEach')) await h();
        await c.fn!();
        for (const h of chain(s, 'afterEach').reverse()) await h();
        results.push({ file: s.file, name, ok: true, ms: performance.now() - t0 });
      } catch (e) {
        const err = e as Error;
        results.push({ file: s.file, name, ok: false, ms: performance.now() - t0, error: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` });
      }
    }
    for (const h of s.afterAll) await h();
  }
  for (const s of root.children) if (!files || files.includes((s as Suite).file)) await run(s as Suite);
  return results;
}
