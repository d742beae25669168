// PostgreSQL's parser (libpg-query's WebAssembly build), called the way libpg-query's own wrapper
// calls it (wasm/index.cjs: the same exports, results and SqlError details), with the strings copied
// in and out natively: its wrapper encodes the SQL and finds the end of the result with JavaScript
// loops (stringToUTF8, findStringEnd), ~150 ms of a 1.5 MB file's 600 ms parse. Everything in pgarch
// parses through here, so the WebAssembly module is loaded once (importing libpg-query's index would
// load a second one).
import { createRequire } from 'node:module';
import type { ParseResult, ScanResult, SqlErrorDetails } from 'libpg-query';

/** A statement PostgreSQL cannot parse: `sqlDetails.cursorPosition` is a 0-based code-point offset. */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly sqlDetails?: SqlErrorDetails,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

interface PgQueryModule {
  HEAPU8: Uint8Array;
  getValue(ptr: number, type: 'i32'): number;
  stringToUTF8(str: string, ptr: number, max: number): void;
  lengthBytesUTF8(str: string): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
  _wasm_parse_plpgsql(ptr: number): number;
  _wasm_scan(ptr: number): number;
  _wasm_free_string(ptr: number): void;
}

const factory = createRequire(import.meta.url)('libpg-query/wasm/libpg-query.js') as () => Promise<PgQueryModule>;
let wasm: PgQueryModule | undefined;
// Started when this module loads, as libpg-query's index does: the parse functions are synchronous.
const loading = factory().then((m) => {
  wasm = m;
});

/** Resolves once the WebAssembly module is ready; every parse function after that is synchronous. */
export function loadModule(): Promise<void> {
  return loading;
}

function ready(): PgQueryModule {
  if (!wasm) throw new Error('WASM module not initialized. Call loadModule() first.');
  return wasm;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The string as a NUL-terminated UTF-8 copy in WebAssembly memory; the caller frees it. */
function stringToPtr(m: PgQueryModule, text: string): number {
  if (typeof text !== 'string') throw new TypeError(`Expected a string, got ${typeof text}`);
  // A lone surrogate: TextEncoder would write U+FFFD where emscripten writes the unit's own bytes.
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    const len = m.lengthBytesUTF8(text) + 1;
    const ptr = m._malloc(len);
    m.stringToUTF8(text, ptr, len);
    return ptr;
  }
  const len = Buffer.byteLength(text, 'utf8');
  const ptr = m._malloc(len + 1);
  // Read HEAPU8 after malloc: growing the memory replaces it.
  const heap = m.HEAPU8;
  encoder.encodeInto(text, heap.subarray(ptr, ptr + len));
  heap[ptr + len] = 0;
  return ptr;
}

function ptrToString(m: PgQueryModule, ptr: number): string {
  const heap = m.HEAPU8;
  const end = heap.indexOf(0, ptr);
  return decoder.decode(heap.subarray(ptr, end === -1 ? heap.length : end));
}

/** The parse tree of each statement in `query`; a SqlError with the cursor position when it does not parse. */
export function parseSync(query: string): ParseResult {
  return JSON.parse(parseToJson(query)) as ParseResult;
}

/** One statement of a parse: its node's JSON text (`{"CreateStmt":{…}}`), to be parsed when it is needed. */
export interface RawStatement {
  /** The node's type name, e.g. `CreateStmt`. */
  kind: string;
  /** Byte offset of the statement in the query, and its length; 0 means up to the end of the query. */
  location: number;
  length: number;
  json: string;
}

/**
 * What parseSync gives, statement by statement, with each tree left as JSON text: a caller that keeps
 * a file's statements until it reads them (src/sql/parse.ts) holds text instead of ~13 bytes of objects
 * per character of SQL, and the trees it makes as it reads die young, where V8's garbage collection is
 * cheap (keeping a 1.5 MB file's trees from parse to read was 0.1 s of copying them out of the young
 * generation). The statements are found in libpg-query's output by its RawStmt keys: a RawStmt is the
 * only node with `stmt`, `stmt_location` or `stmt_len` keys, and its fields come in that order. A key
 * cannot be matched inside a string value, where every `"` is escaped.
 */
export function parseStatementsSync(query: string): RawStatement[] {
  const json = parseToJson(query);
  // {"version":180001,"stmts":[{"stmt":{"Kind":{…}},"stmt_location":12,"stmt_len":34},…]}
  if (!json.startsWith('{"version":')) throw new Error(`internal error: unexpected parser output ${json.slice(0, 40)}`);
  const statements: RawStatement[] = [];
  const STMT = '{"stmt":';
  let at = json.indexOf(STMT);
  while (at !== -1) {
    const nodeStart = at + STMT.length;
    const next = json.indexOf(STMT, nodeStart);
    // This RawStmt's closing brace: before `,{"stmt":` of the next one, or before the closing `]}`.
    const close = next === -1 ? json.lastIndexOf(']') - 1 : next - 2;
    const lengthKey = json.lastIndexOf(',"stmt_len":', close);
    const locationKey = json.lastIndexOf(',"stmt_location":', close);
    const hasLength = lengthKey > nodeStart;
    const hasLocation = locationKey > nodeStart;
    const nodeEnd = hasLocation ? locationKey : hasLength ? lengthKey : close;
    statements.push({
      kind: json.slice(nodeStart + 2, json.indexOf('"', nodeStart + 2)),
      location: hasLocation ? parseInt(json.slice(locationKey + 17, hasLength ? lengthKey : close), 10) : 0,
      length: hasLength ? parseInt(json.slice(lengthKey + 12, close), 10) : 0,
      json: json.slice(nodeStart, nodeEnd),
    });
    at = next;
  }
  return statements;
}

function parseToJson(query: string): string {
  const m = ready();
  if (query === null || query === undefined) throw new Error('Query cannot be null or undefined');
  if (query === '') throw new Error('Query cannot be empty');
  const queryPtr = stringToPtr(m, query);
  let resultPtr = 0;
  try {
    resultPtr = m._wasm_parse_query_raw(queryPtr);
    if (!resultPtr) throw new Error('Failed to parse query: memory allocation failed');
    // PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error }
    const parseTreePtr = m.getValue(resultPtr, 'i32');
    const errorPtr = m.getValue(resultPtr + 8, 'i32');
    if (errorPtr) {
      // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; … }
      const messagePtr = m.getValue(errorPtr, 'i32');
      const funcnamePtr = m.getValue(errorPtr + 4, 'i32');
      const filenamePtr = m.getValue(errorPtr + 8, 'i32');
      const lineno = m.getValue(errorPtr + 12, 'i32');
      const cursorpos = m.getValue(errorPtr + 16, 'i32');
      const message = messagePtr ? ptrToString(m, messagePtr) : 'Unknown error';
      throw new SqlError(message, {
        message,
        cursorPosition: cursorpos > 0 ? cursorpos - 1 : 0, // 1-based in the struct
        fileName: filenamePtr ? ptrToString(m, filenamePtr) : undefined,
        functionName: funcnamePtr ? ptrToString(m, funcnamePtr) : undefined,
        lineNumber: lineno > 0 ? lineno : undefined,
      });
    }
    if (!parseTreePtr) throw new Error('No parse tree generated');
    return ptrToString(m, parseTreePtr);
  } finally {
    m._free(queryPtr);
    if (resultPtr) m._wasm_free_parse_result(resultPtr);
  }
}

/** A call that returns a JSON string on success and an error message otherwise. */
function jsonCall<T>(query: string, call: (m: PgQueryModule, ptr: number) => number, ok: (result: string) => boolean): T {
  const m = ready();
  const queryPtr = stringToPtr(m, query);
  let resultPtr = 0;
  try {
    resultPtr = call(m, queryPtr);
    const result = ptrToString(m, resultPtr);
    if (!ok(result)) throw new Error(result);
    return JSON.parse(result) as T;
  } finally {
    m._free(queryPtr);
    if (resultPtr) m._wasm_free_string(resultPtr);
  }
}

/** The PL/pgSQL parse tree of a function body (the CREATE FUNCTION statement). */
export function parsePlPgSQLSync(query: string): ParseResult {
  // Success is always a JSON object; anything else is an error message.
  return jsonCall(query, (m, ptr) => m._wasm_parse_plpgsql(ptr), (r) => r.startsWith('{'));
}

/** The tokens of `query`, as PostgreSQL's scanner reads them. */
export function scanSync(query: string): ScanResult {
  return jsonCall(query, (m, ptr) => m._wasm_scan(ptr), (r) => !(r.startsWith('syntax error') || r.startsWith('deparse error') || r.startsWith('ERROR')));
}
