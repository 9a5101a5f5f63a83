// `npm run sandbox`: bundles src/sandbox/main.ts (our TypeScript only; packages stay in
// node_modules) with esbuild and runs the bundle in this process. Running through a loader
// (tsx) costs about twice the CPU at start-up, because every one of the libraries' hundreds
// of files then passes through the loader's hooks; bundling takes a fraction of a second.
// The bundle is kept under node_modules/.cache, named by its content, so that concurrent runs
// never read a half-written file. Arguments are passed on (see src/sandbox/options.ts).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const result = await build({
  entryPoints: [join(root, 'src/sandbox/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  outfile: 'main.mjs',
  write: false,
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
const dir = join(root, 'node_modules/.cache/fluxra-sandbox', createHash('sha256').update(code).digest('hex').slice(0, 16));
const file = join(dir, 'main.mjs');
if (!existsSync(file)) {
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, code);
  renameSync(temp, file);
}
// The console serves its page from next to the code that serves it (see console-server.ts).
cpSync(join(root, 'src/sandbox/page'), join(dir, 'page'), { recursive: true });
await import(pathToFileURL(file).href);
