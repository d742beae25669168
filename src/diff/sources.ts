// The two sides of `pgarch diff`: a SQL file, a folder of migrations (any layout pgarch reads) or SQL
// files, a model file (`pgarch model`'s YAML, as the DDL it generates), or a postgres:// URL read as
// it is (read-only). Files are applied in a scratch engine of their own (embedded PGlite), the way
// `lint schema` builds its catalog; then each side's objects are read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openEngine } from '../engine/index.js';
import type { Engine } from '../engine/types.js';
import { applyFiles, extensionsUsed } from '../lint/apply.js';
import { EngineFailure } from '../lint/engine-failure.js';
import { InputError } from '../lint/files.js';
import { readSchemaInputs } from '../lint/schema-inputs.js';
import { columnOrderNotes, diffObjects, type DiffStatement } from './diff.js';
import { readDiffObjects, type DiffObject } from './objects.js';

export interface DiffSide {
  /** What was given: a path or a URL (shown redacted). */
  source: string;
  objects: DiffObject[];
}

const isUrl = (source: string) => /^postgres(ql)?:\/\//i.test(source);

/** The objects of one side: a URL read live and read-only, files applied in a fresh embedded engine. */
export async function readSide(source: string): Promise<DiffSide> {
  if (isUrl(source)) {
    const engine = await openEngine({ database: source, readOnly: true });
    try {
      return { source, objects: await readDiffObjects(engine) };
    } finally {
      await engine.close();
    }
  }
  const engine = await buildFromFiles([source]);
  try {
    return { source, objects: await readDiffObjects(engine) };
  } finally {
    await engine.close();
  }
}

/**
 * A fresh embedded engine with the files applied. A statement that fails makes the side something
 * other than what its files say, so it is an input error (exit 2), not a difference.
 */
export async function buildFromFiles(paths: string[], moreExtensions: string[] = []): Promise<Engine> {
  const model = paths.length === 1 && /\.ya?ml$/i.test(paths[0]) ? await modelAsSqlFile(paths[0]) : undefined;
  try {
    return await buildFromSql(model ? [model.file] : paths, moreExtensions);
  } finally {
    if (model) rmSync(model.dir, { recursive: true, force: true });
  }
}

/** A model file (pgarch model's YAML) as the DDL `pgarch model` prints for it, in a temporary file. */
async function modelAsSqlFile(path: string): Promise<{ file: string; dir: string }> {
  const [{ loadModel }, { modelToDdl }] = await Promise.all([import('../model/spec.js'), import('../model/ddl.js')]);
  const ddl = await modelToDdl(loadModel(path));
  const dir = mkdtempSync(join(tmpdir(), 'pgarch-model-'));
  const file = join(dir, `${basename(path).replace(/\.ya?ml$/i, '')}.sql`);
  writeFileSync(file, ddl.sql);
  return { file, dir };
}

async function buildFromSql(paths: string[], moreExtensions: string[]): Promise<Engine> {
  const inputs = await readSchemaInputs(paths);
  const syntax = inputs.files.flatMap((f) => f.findings).find((f) => f.severity === 'error');
  if (syntax) throw new InputError(`${where(syntax.location)}${syntax.message}`);
  if (!inputs.files.length) throw new InputError(`no SQL files found in ${paths.join(', ')}`);
  // More: the ones the other side of a plan creates, which the plan then creates in this engine.
  const engine = await openEngine({ extensions: [...new Set([...extensionsUsed(inputs.files), ...moreExtensions])] });
  try {
    const findings = await applyFiles(engine, inputs.files);
    const failed = findings.find((f) => f.severity === 'error');
    if (failed) throw new InputError(`${where(failed.location)}${failed.message}: the schema could not be built`);
    return engine;
  } catch (error) {
    await engine.close();
    if (error instanceof EngineFailure) throw new InputError(error.finding.message);
    throw error;
  }
}

function where(location: { file?: string; line?: number } | undefined): string {
  return location?.file ? `${location.file}${location.line ? `:${location.line}` : ''}: ` : '';
}

export interface DiffResult {
  from: string;
  to: string;
  statements: DiffStatement[];
  /** What the statements cannot make as TO has it (column order), one line each. */
  notes: string[];
  /** Milliseconds spent building, reading and comparing both sides. */
  elapsedMs: number;
}

/** `pgarch diff FROM TO` as a library call: both sides built (in parallel) and compared. */
export async function diffSources(from: string, to: string): Promise<DiffResult> {
  const started = performance.now();
  const [a, b] = await Promise.all([readSide(from), readSide(to)]);
  return { from, to, statements: diffObjects(a.objects, b.objects), notes: columnOrderNotes(a.objects, b.objects), elapsedMs: Math.round(performance.now() - started) };
}
