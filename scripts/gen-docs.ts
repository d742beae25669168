// Writes docs/rules/<id>.md for every rule, and docs/rules/README.md. With --check, only compares.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateDocs } from './docs-content.js';

const check = process.argv.includes('--check');
const dir = fileURLToPath(new URL('../docs/rules/', import.meta.url));
let stale = 0;
for (const [name, content] of await generateDocs()) {
  const path = `${dir}${name}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === content) continue;
  stale++;
  if (check) console.error(`stale: docs/rules/${name}`);
  else writeFileSync(path, content);
}
if (check && stale) process.exit(1);
console.log(check ? 'docs are up to date' : `wrote ${stale} file(s)`);
