// pg_dump's schema of a server database, as a judge of equality independent of pgarch's own catalog
// reading: the owning role (named after the database, see own-database.ts) made one name.
import { execFileSync } from 'node:child_process';

export function schemaDump(url: string, owner: string): string {
  return execFileSync('pg_dump', ['--schema-only', '--no-owner', '--dbname', url], { encoding: 'utf8' })
    .replaceAll(owner, 'the_owner')
    .split('\n')
    .filter((line) => !line.startsWith('-- Dumped') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
    .join('\n');
}
