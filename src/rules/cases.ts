// A rule's `.cases.sql`: blocks headed `-- bad: why` (must report) or `-- good: why` (must not).
// A line ending in `-- <- here` in a bad block is where a finding must land; one ending in `-- <- also`
// is a place a finding there names and keeps in `related` (a rule speaks once per transaction). The same cases drive the
// tests and the generated docs page, so docs and behaviour never drift.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RuleCase {
  kind: 'bad' | 'good';
  title: string;
  /** The block's SQL, without its header line. */
  sql: string;
  /** 1-based lines in the cases file: first and last line of the SQL. */
  firstLine: number;
  lastLine: number;
  /** Lines marked `-- <- here`: each must carry a finding, and no finding may land elsewhere. */
  expectedLines: number[];
  /** Lines marked `-- <- also`: folded into a finding at a `here` line (its `related`), none elsewhere. */
  relatedLines: number[];
  /** Options from a trailing `{…}` JSON object in the header, e.g. `{"pgVersion": 11}`. */
  options: CaseOptions;
}

export interface CaseOptions {
  /** Target PostgreSQL major version. */
  pgVersion?: number;
  /** The runner wraps the migration in a transaction. */
  assumeInTransaction?: boolean;
  /** The migration is marked `-- pgarch:no-transaction`. */
  noTransaction?: boolean;
  /** Rows to assume per table. */
  assumeRows?: Record<string, number>;
  /** The migration's down step. */
  down?: string;
  /** The migration's layout (for rules about down steps). */
  layout?: string;
  /** Schema rules: the profile the case runs under. */
  profile?: 'default' | 'supabase';
  /** Query rules: false runs the case without a catalog (the rule judges from the SQL alone). */
  catalog?: boolean;
}

const HEADER = /^--\s*(bad|good):\s*(.*)$/;
const MARK = /--\s*<-\s*here\s*$/;
const ALSO = /--\s*<-\s*also\s*$/;

export function parseCases(text: string): RuleCase[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const cases: RuleCase[] = [];
  let current: (RuleCase & { body: string[] }) | undefined;
  const close = () => {
    if (!current) return;
    while (current.body.length && current.body[current.body.length - 1].trim() === '') current.body.pop();
    cases.push({
      kind: current.kind,
      title: current.title,
      sql: current.body.join('\n'),
      firstLine: current.firstLine,
      lastLine: current.firstLine + current.body.length - 1,
      expectedLines: current.expectedLines,
      relatedLines: current.relatedLines,
      options: current.options,
    });
  };
  lines.forEach((line, i) => {
    const header = HEADER.exec(line.trim());
    if (header) {
      close();
      const optionsAt = header[2].indexOf('{');
      const title = (optionsAt === -1 ? header[2] : header[2].slice(0, optionsAt)).trim();
      const options = optionsAt === -1 ? {} : (JSON.parse(header[2].slice(optionsAt)) as CaseOptions);
      current = { kind: header[1] as 'bad' | 'good', title, sql: '', firstLine: i + 2, lastLine: i + 2, expectedLines: [], relatedLines: [], options, body: [] };
      return;
    }
    if (!current) return;
    current.body.push(line);
    if (MARK.test(line)) current.expectedLines.push(i + 1);
    if (ALSO.test(line)) current.relatedLines.push(i + 1);
  });
  close();
  return cases;
}

/** The cases file beside a rule source, e.g. src/rules/schema/fk-missing-index.cases.sql. */
export function casesPath(area: string, id: string): string {
  return fileURLToPath(new URL(`../../src/rules/${area}/${id}.cases.sql`, import.meta.url));
}

export function readCases(area: string, id: string): { path: string; text: string; cases: RuleCase[] } {
  const path = casesPath(area, id);
  const text = readFileSync(path, 'utf8');
  return { path, text, cases: parseCases(text) };
}
