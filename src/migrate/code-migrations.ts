// A migration in Java or Go runs in its tool's order with the SQL ones, and pgarch cannot run it: what
// it makes is missing from the scratch, so a later SQL migration that uses it fails there and not in
// production. Such an execution error says which code migration mentions the missing name, so the
// reader knows the SQL is likely right and what to give with --setup.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { missingNames } from '../lint/root-cause.js';
import type { Finding } from '../types.js';
import type { SkippedFile } from './layouts/types.js';

const LANGUAGE: Record<string, string> = { go: 'Go', java: 'Java', kt: 'Kotlin' };

export function blameCodeMigrations(findings: Finding[], skipped: SkippedFile[]): void {
  const code = skipped.filter((s) => s.code);
  if (!code.length) return;
  const texts = new Map<string, string>();
  const text = (file: string) => {
    if (!texts.has(file)) texts.set(file, readFileSync(file, 'utf8'));
    return texts.get(file)!;
  };
  for (const f of findings) {
    if (f.rule !== 'execution-error') continue;
    for (const name of missingNames(f.message)) {
      const word = new RegExp(`(^|[^\\w$])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w$])`, 'i');
      const hit = code.find((s) => word.test(text(s.file)));
      if (!hit) continue;
      const lines = text(hit.file).split('\n');
      const line = lines.findIndex((l) => word.test(l)) + 1;
      const language = LANGUAGE[hit.file.split('.').pop() ?? ''] ?? 'code';
      f.message += `; ${basename(hit.file)}, a ${language} migration pgarch does not run, mentions ${name}: what it does is missing here, not necessarily in production`;
      f.hint = `Give what ${basename(hit.file)} creates with --setup FILE (CREATE statements, or a pg_dump --schema-only of a database it ran on).`;
      f.related = [...(f.related ?? []), { file: hit.file, line }];
      break;
    }
  }
}
