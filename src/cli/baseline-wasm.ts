// A parse-only lint spends most of its time in PostgreSQL's parser, which is WebAssembly. V8 runs it
// as baseline (Liftoff) code at first and, as functions get hot, compiles them again with TurboFan
// in the background; the parser's functions are huge, and that compile costs more than it saves
// unless the input is large. Measured on 2 cores (whole `lint migrations --no-execute` processes):
// one statement 0.52 → 0.38 s, 1.5 MB 1.22 → 1.04 s, 3 MB 1.78 → 1.57 s, 10 MB even, 50 MB 11% slower.
// So up to 8 MB of SQL the parser stays on baseline code.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

const BASELINE_MAX_BYTES = 8 * 2 ** 20;
/** Directory entries looked at before giving up and calling the input large. */
const MAX_ENTRIES = 20_000;

/**
 * Keep the parser on baseline code when the paths hold little SQL. V8 reads the flag when it compiles
 * the module, so this must run before the parser is first imported (src/sql/pg-parser.ts); and only in
 * a process that starts no engine: PGlite is WebAssembly too, and runs long enough to want TurboFan.
 */
export function baselineWasmForSmallInput(paths: string[]): void {
  if (sqlBytes(paths, BASELINE_MAX_BYTES) <= BASELINE_MAX_BYTES) setFlagsFromString('--liftoff-only');
}

/** Bytes of .sql files under the paths (a named file counts whatever its name), up to just past `limit`. */
function sqlBytes(paths: string[], limit: number): number {
  let bytes = 0;
  let entries = 0;
  const visit = (path: string, named: boolean): void => {
    if (bytes > limit) return;
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return; // the lint reports a path it cannot read
    }
    if (stat.isFile()) {
      if (named || path.toLowerCase().endsWith('.sql')) bytes += stat.size;
      return;
    }
    if (!stat.isDirectory()) return;
    for (const name of readdirSync(path)) {
      if (++entries > MAX_ENTRIES) {
        bytes = limit + 1;
        return;
      }
      if (name === 'node_modules' || name.startsWith('.')) continue;
      visit(join(path, name), false);
    }
  };
  for (const path of paths) visit(path, true);
  return bytes;
}
