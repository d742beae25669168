// Debian's chromium for the browser tests (driven by playwright-core, which downloads nothing): under
// CI=true a missing one fails the run (.ci/run installs it); locally the browser tests skip, saying so.
import { execFileSync } from 'node:child_process';

function findChromium(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The path of chromium; undefined (with a printed reason) when it is missing outside CI. `what` names the test. */
export function requireChromium(what: string): string | undefined {
  const path = findChromium();
  if (!path && process.env.CI === 'true') throw new Error('CI=true but Debian chromium is not installed (`which chromium` found nothing): .ci/run installs it');
  if (!path) console.warn(`[pgarch tests] skipping ${what}: \`which chromium\` found nothing (apt-get install -y chromium)`);
  return path;
}
