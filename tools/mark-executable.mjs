// `npm run build` step: tsc writes dist/cli.js without the executable bit, and the package's
// `bin` (so `npx fluxra-bridge`, or an installed `fluxra-bridge`) needs it to run the file.
import { chmodSync, statSync } from 'node:fs';

for (const file of process.argv.slice(2)) chmodSync(file, statSync(file).mode | 0o111);
