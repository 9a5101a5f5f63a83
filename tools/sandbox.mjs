// `npm run sandbox`: bundles src/sandbox/main.ts (our TypeScript only; packages stay in
// node_modules) with esbuild and runs the bundle in this process. Running through a loader
// (tsx) costs about twice the CPU at start-up, because every one of the libraries' hundreds
// of files then passes through the loader's hooks; bundling takes a fraction of a second.
// The bundle is kept under node_modules/.cache, named by its content, so that concurrent runs
// never read a half-written file. Arguments are passed on (see src/sandbox/options.ts).
//
// Stopping: the npm script `exec`s node, so the SIGTERM that npm passes on to its script
// reaches this process (without `exec`, the shell between them dies and this process keeps
// serving). The sandbox (src/sandbox/main.ts) stops on SIGTERM/SIGINT; should the process
// that started this one die without a signal, that counts as a SIGTERM too (see below).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop as stopEsbuild } from 'esbuild';

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
// esbuild's service is a child process; it has done its job.
await stopEsbuild();
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

// Orphaned (the parent died, e.g. a shell killed by a signal it did not pass on): stop as on
// SIGTERM, saving state, instead of serving on with nobody to stop it.
const parent = process.ppid;
const orphanWatch = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(orphanWatch);
    process.kill(process.pid, 'SIGTERM');
  }
}, 1_000);
orphanWatch.unref();
