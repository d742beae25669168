// A PostgreSQL data directory as one pack file, with a digest of its contents: how a saved engine state
// goes from PGlite's in-memory file system to the on-disk cache and comes back (verified). One file,
// because creating the ~2,000 small files of a data directory costs over a second on an ordinary disk.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A saved data directory whose files are not what was saved (or are unreadable). */
export class CorruptDataDirError extends Error {}

/** A file system as the pack reads it: Node's, or Emscripten's inside PGlite. */
export interface DataDirFs {
  list(dir: string): Array<{ name: string; dir: boolean }>;
  read(file: string): Uint8Array;
}

interface PackHeader {
  /** Directories (relative, `/`-separated) in creation order, then files with their sizes, in sorted order. */
  dirs: string[];
  files: Array<[path: string, size: number]>;
}

const MAGIC = 'pgarch-datadir-1\n';

/**
 * Write `from` (on `source`) as the pack file `file`, skipping what `skip` says, and return the digest:
 * every directory, file path, size and bytes in sorted order, so the same state always hashes the same.
 * SHA-1: a check against damage and stray files, not an adversary, at a third of SHA-256's time here.
 */
export function packDataDir(source: DataDirFs, from: string, file: string, options: { skip?: (relative: string) => boolean } = {}): string {
  const hash = createHash('sha1');
  const header: PackHeader = { dirs: [], files: [] };
  const contents: Uint8Array[] = [];
  const visit = (relative: string) => {
    const entries = source.list(relative ? join(from, relative) : from).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (options.skip?.(rel)) continue;
      if (entry.dir) {
        header.dirs.push(rel);
        hash.update(`d ${rel}\0`);
        visit(rel);
        continue;
      }
      const bytes = source.read(join(from, rel));
      header.files.push([rel, bytes.length]);
      hash.update(`f ${rel} ${bytes.length}\0`);
      hash.update(bytes);
      contents.push(bytes);
    }
  };
  visit('');
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    for (const bytes of contents) writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** A directory (no data) or a file of a pack, in the order they were packed. */
export interface PackedFile {
  path: string;
  data?: Uint8Array;
}

/** Read a pack file: its directories and files in walk order (each file a view of the pack's bytes), and their digest (see packDataDir). */
export function readPack(file: string): { files: PackedFile[]; digest: string } {
  return parsePack(readFileSync(file), true) as { files: PackedFile[]; digest: string };
}

/** A pack's files as views of `pack` (which they then own), and with `digest` their digest. */
export function parsePack(pack: Buffer, digest: boolean): { files: PackedFile[]; digest?: string } {
  const magic = pack.subarray(0, MAGIC.length).toString();
  const end = pack.indexOf(10, MAGIC.length);
  if (magic !== MAGIC || end < 0) throw new CorruptDataDirError('not a pgarch data directory pack');
  let header: PackHeader;
  try {
    header = JSON.parse(pack.subarray(MAGIC.length, end).toString()) as PackHeader;
  } catch {
    throw new CorruptDataDirError('the pack header does not parse');
  }
  if (!Array.isArray(header?.dirs) || !Array.isArray(header.files)) throw new CorruptDataDirError('the pack header is incomplete');
  let offset = end + 1;
  const at = new Map<string, number>();
  for (const [path, size] of header.files) {
    at.set(path, offset);
    offset += size;
  }
  if (offset !== pack.length) throw new CorruptDataDirError('the pack is truncated or has extra bytes');
  const dirs = new Set(header.dirs);
  // The digest interleaves directories and files as the walk met them: replay that order.
  const order = [...header.dirs.map((path) => ({ path, size: -1 })), ...header.files.map(([path, size]) => ({ path, size }))].sort((a, b) => walkOrder(a.path, b.path));
  const hash = digest ? createHash('sha1') : undefined;
  const files: PackedFile[] = [];
  for (const entry of order) {
    if (entry.size < 0) {
      hash?.update(`d ${entry.path}\0`);
      files.push({ path: entry.path });
      continue;
    }
    const parent = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : '';
    if (parent && !dirs.has(parent)) throw new CorruptDataDirError(`the pack lists ${entry.path} outside its directories`);
    const start = at.get(entry.path)!;
    const data = new Uint8Array(pack.buffer, pack.byteOffset + start, entry.size);
    hash?.update(`f ${entry.path} ${entry.size}\0`);
    hash?.update(data);
    files.push({ path: entry.path, data });
  }
  return { files, digest: hash?.digest('hex') };
}

/** Depth-first order of a sorted walk: a directory's contents come right after it. */
function walkOrder(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The Emscripten FS API (FS.readdir, FS.stat, FS.isDir, FS.readFile) as a DataDirFs. */
export function emscriptenFs(fs: { readdir(path: string): string[]; stat(path: string): { mode: number }; isDir(mode: number): boolean; readFile(path: string): Uint8Array }): DataDirFs {
  return {
    list: (dir) => fs.readdir(dir).filter((n) => n !== '.' && n !== '..').map((name) => ({ name, dir: fs.isDir(fs.stat(`${dir}/${name}`).mode) })),
    read: (file) => fs.readFile(file),
  };
}

/** WAL segment files (24 hex digits) in pg_wal that crash recovery from the last checkpoint does not read. */
export function unneededWal(keep: Set<string>): (relative: string) => boolean {
  return (relative) => {
    const m = /^pg_wal\/([0-9A-F]{24})$/.exec(relative);
    return Boolean(m && !keep.has(m[1]));
  };
}
