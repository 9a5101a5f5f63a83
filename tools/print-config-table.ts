/** Prints the README's configuration table from the schema: `npm run docs:config`. */
import { configTableMarkdown } from '../src/config/describe.js';

process.stdout.write(`${configTableMarkdown()}\n`);
