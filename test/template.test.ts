// The design's table template passes every schema rule clean, in the default and supabase profiles,
// on both engines. A copy with one defect per security rule reports exactly those rules (so the clean
// result can fail), and the fixes those findings propose remove them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../src/config.js';
import { lintSchema } from '../src/lint/schema.js';
import type { Finding } from '../src/types.js';
import { ENGINES } from './helpers/server.js';

const BASE = fileURLToPath(new URL('../src/rules/schema/base.sql', import.meta.url));
const TEMPLATE = fileURLToPath(new URL('./fixtures/template.sql', import.meta.url));

/** A table that follows the template and is otherwise clean, for defects that need a table of their own. */
const cleanTable = (schema: string, name: string) => `
CREATE TABLE ${schema}.${name} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ${schema}.${name} IS 'Part of the negative control.';
CREATE TRIGGER ${name}_set_updated_at BEFORE UPDATE ON ${schema}.${name}
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
`;

/** One defect per security rule, appended to the template. */
const DEFECTS = `
-- rls-disabled: an exposed table without row level security
${cleanTable('public', 'labels')}

-- rls-no-policy: row level security on, no policy
${cleanTable('public', 'invites')}
ALTER TABLE public.invites ENABLE ROW LEVEL SECURITY;

-- rls-initplan: auth.uid() called per row
ALTER POLICY projects_delete ON public.projects USING (owner_id = auth.uid());

-- multiple-permissive-policies: a second SELECT policy for authenticated
CREATE POLICY projects_select_active ON public.projects FOR SELECT TO authenticated USING (status = 'active');

-- policy-without-rls: a policy on a table without row level security (in a schema clients cannot
-- reach, so rls-disabled does not report it too)
CREATE SCHEMA internal;
${cleanTable('internal', 'sync_jobs')}
CREATE POLICY sync_jobs_select ON internal.sync_jobs FOR SELECT TO authenticated USING (false);

-- policy-always-true: anyone authenticated may insert any task
ALTER POLICY tasks_insert ON public.tasks WITH CHECK (true);

-- security-definer-view: an exposed view that runs as its owner
CREATE VIEW public.open_tasks AS SELECT id, title FROM public.tasks WHERE deleted_at IS NULL;

-- function-search-path: SECURITY DEFINER without a fixed search_path
CREATE FUNCTION public.project_count() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT count(*) FROM public.projects $$;
`;

/** Per profile: rule → objects the defective copy must report, and nothing else. */
const EXPECTED: Record<NonNullable<Config['profile']>, Record<string, string[]>> = {
  default: {
    'policy-without-rls': ['internal.sync_jobs'],
    'policy-always-true': ['public.tasks.tasks_insert'],
    'function-search-path': ['public.project_count()'],
  },
  supabase: {
    'rls-disabled': ['public.labels'],
    'rls-no-policy': ['public.invites'],
    'rls-initplan': ['public.projects.projects_delete'],
    'multiple-permissive-policies': ['public.projects.projects_select_active'],
    'policy-without-rls': ['internal.sync_jobs'],
    'policy-always-true': ['public.tasks.tasks_insert'],
    'security-definer-view': ['public.open_tasks'],
    'function-search-path': ['public.project_count()'],
  },
};

/** What is left once every proposed fix ran: findings whose rules offer no fix (or that a fix leads to). */
const AFTER_FIXES: Record<NonNullable<Config['profile']>, Record<string, string[]>> = {
  default: { 'policy-always-true': ['public.tasks.tasks_insert'] },
  supabase: {
    // Enabling RLS on labels leaves it without a policy: the fix says policies are needed next.
    'rls-no-policy': ['public.invites', 'public.labels'],
    'policy-always-true': ['public.tasks.tasks_insert'],
  },
};

const byRule = (findings: Finding[]) => {
  const out: Record<string, string[]> = {};
  for (const f of findings) (out[f.rule] ??= []).push(f.object ?? '(none)');
  for (const objects of Object.values(out)) objects.sort();
  return out;
};

const describeFinding = (f: Finding) => `${f.rule} ${f.object ?? ''} at ${f.location?.file ?? '?'}:${f.location?.line ?? '?'}: ${f.message}`;

const dir = mkdtempSync(join(tmpdir(), 'pgarch-template-'));
const DEFECTIVE = join(dir, 'template-defective.sql');
writeFileSync(DEFECTIVE, `${readFileSync(TEMPLATE, 'utf8')}\n${DEFECTS}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROFILES: Array<NonNullable<Config['profile']>> = ['default', 'supabase'];

for (const target of ENGINES) {
  describe(`table template on ${target.name}`, () => {
    for (const profile of PROFILES) {
      const config: Config = { ...defaultConfig(), profile, exposedSchemas: ['public'] };

      it(`passes every schema rule clean (profile ${profile})`, async () => {
        const { report } = await lintSchema({ paths: [BASE, TEMPLATE], database: target.database, config });
        expect(report.findings.map(describeFinding)).toEqual([]);
      });

      it(`with one defect per security rule reports exactly those, and their fixes remove them (profile ${profile})`, async () => {
        const { report } = await lintSchema({ paths: [BASE, DEFECTIVE], database: target.database, config });
        expect(byRule(report.findings), report.findings.map(describeFinding).join('\n')).toEqual(EXPECTED[profile]);
        for (const f of report.findings) expect(f.location?.file, describeFinding(f)).toBe(DEFECTIVE);

        const fixes = join(dir, `fixes-${target.name}-${profile}.sql`);
        writeFileSync(fixes, report.findings.flatMap((f) => (f.fix ? [f.fix.sql] : [])).join('\n\n'));
        const fixed = await lintSchema({ paths: [BASE, DEFECTIVE, fixes], database: target.database, config });
        expect(byRule(fixed.report.findings), fixed.report.findings.map(describeFinding).join('\n')).toEqual(AFTER_FIXES[profile]);
      });
    }
  });
}
