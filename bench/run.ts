// npm run bench: every benchmark in turn; each prints its figures and writes bench/results/<name>.json.
// Benchmarks measure the shipped build (dist/, built by `npm run bench`), not a dev-time transform of src/.
import { benchAdvisor } from './advisor.js';
import { benchCatalog } from './catalog.js';
import { benchDiff } from './diff.js';
import { benchExplain } from './explain.js';
import { benchFd } from './fd.js';
import { benchHealth } from './health.js';
import { benchMigrations } from './migrations.js';
import { benchParse } from './parse.js';
import { benchReview } from './review.js';
import { benchRobustness } from './robustness.js';
import { benchRunner } from './runner.js';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = { parse: benchParse, catalog: benchCatalog, migrations: benchMigrations, fd: benchFd, explain: benchExplain, robustness: benchRobustness, advisor: benchAdvisor, health: benchHealth, review: benchReview, runner: benchRunner, diff: benchDiff };
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await run();
}
