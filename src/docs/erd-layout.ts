// ERD layout: table boxes sized from their text, placed and routed by ELK's layered algorithm
// (elkjs) with orthogonal edges between ports on the column rows. The result is plain data that
// erd.ts draws; nothing here knows about SVG.
import elkjs from 'elkjs';
import type { ELK, ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs';
import type { Constraint, Table } from '../catalog/types.js';

/**
 * Text is measured by a fixed advance per character: the SVG asks for a monospace font, whose
 * advance is 0.6 em (DejaVu Sans Mono, Liberation Mono, Menlo, Consolas); 0.62 leaves slack for
 * the font a viewer substitutes. East Asian wide characters take two cells.
 */
export const FONT_SIZE = 12;
export const HEADER_FONT_SIZE = 13;
export const CHAR_ADVANCE = 0.62;
export const ROW_HEIGHT = 18;
export const HEADER_HEIGHT = 24;
export const PAD_X = 8;
/** Space between the key marker, the column name and the type. */
export const GAP = 10;
const MAX_NAME = 48;
const MAX_TYPE = 32;

export function textWidth(text: string, fontSize = FONT_SIZE): number {
  let cells = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (/\p{M}/u.test(ch)) continue;
    cells += isWide(code) ? 2 : 1;
  }
  return cells * fontSize * CHAR_ADVANCE;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Long identifiers and types are cut with an ellipsis so one column cannot make a box page-wide. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export interface ErdRow {
  column: string;
  /** `PK`, `FK`, `PK FK` or empty. */
  marker: string;
  name: string;
  type: string;
  notNull: boolean;
}

export interface ErdBox {
  /** `schema.table`. */
  id: string;
  schema: string;
  table: string;
  /** Header text: the table name, schema-qualified when the diagram spans several schemas. */
  label: string;
  /** Drawn dashed with only the referenced columns: a table of another diagram that one here references. */
  external: boolean;
  rows: ErdRow[];
  x: number;
  y: number;
  width: number;
  height: number;
  /** x of the name and type columns, relative to the box. */
  nameX: number;
  typeX: number;
  comment?: string;
}

export interface ErdEdge {
  /** `schema.table.constraint`. */
  id: string;
  constraint: string;
  from: string;
  fromColumns: string[];
  to: string;
  toColumns: string[];
  /** The FK columns are all NOT NULL: every row has a parent. */
  required: boolean;
  /** Orthogonal route from the FK column row of `from` to the referenced row of `to`. */
  points: Array<{ x: number; y: number }>;
}

export interface ErdLayout {
  title: string;
  width: number;
  height: number;
  boxes: ErdBox[];
  edges: ErdEdge[];
}

// elkjs is CommonJS whose typings declare an ES default export: the constructor is module.exports and
// module.exports.default alike at run time.
type ElkConstructor = new () => ELK;
let instance: ELK | undefined;
function elk(): ELK {
  const Elk = ((elkjs as unknown as { default?: ElkConstructor }).default ?? elkjs) as unknown as ElkConstructor;
  return (instance ??= new Elk());
}

export const tableId = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

const foreignKeys = (t: Table) => t.constraints.filter((c): c is Constraint & { references: NonNullable<Constraint['references']> } => c.type === 'foreign key' && Boolean(c.references));

/**
 * Lay out `tables` (partitions are left out: they repeat their parent). A foreign key to a table that
 * is not in `tables` but is in `all` draws that table as an external box holding the referenced columns.
 */
export async function layoutErd(title: string, tables: Table[], all: Table[]): Promise<ErdLayout> {
  const shown = tables.filter((t) => !t.partitionOf);
  const byId = new Map(all.map((t) => [tableId(t), t]));
  const inside = new Set(shown.map(tableId));
  const external = new Map<string, Set<string>>();
  for (const t of shown) {
    for (const fk of foreignKeys(t)) {
      const target = `${fk.references.schema}.${fk.references.table}`;
      if (inside.has(target) || !byId.has(target)) continue;
      const cols = external.get(target) ?? new Set<string>();
      fk.references.columns.forEach((c) => cols.add(c));
      external.set(target, cols);
    }
  }
  const schemas = new Set([...shown.map((t) => t.schema), ...[...external.keys()].map((id) => byId.get(id)!.schema)]);
  const qualify = schemas.size > 1;

  const boxes: ErdBox[] = [
    ...shown.map((t) => sizeBox(t, t.columns.map((c) => c.name), false, qualify)),
    ...[...external].map(([id, cols]) => {
      const t = byId.get(id)!;
      return sizeBox(t, t.columns.filter((c) => cols.has(c.name)).map((c) => c.name), true, qualify);
    }),
  ];
  const boxById = new Map(boxes.map((b) => [b.id, b]));

  const ports = new Map<string, ElkPort[]>();
  const addPort = (box: ErdBox, port: ElkPort) => {
    const list = ports.get(box.id) ?? [];
    if (!list.some((p) => p.id === port.id)) list.push(port);
    ports.set(box.id, list);
  };
  const rowY = (box: ErdBox, column: string) => {
    const at = box.rows.findIndex((r) => r.column === column);
    return at < 0 ? HEADER_HEIGHT / 2 : HEADER_HEIGHT + at * ROW_HEIGHT + ROW_HEIGHT / 2;
  };

  const edges: Array<ErdEdge & { elk: ElkExtendedEdge }> = [];
  for (const t of shown) {
    const from = boxById.get(tableId(t))!;
    for (const fk of foreignKeys(t)) {
      const to = boxById.get(`${fk.references.schema}.${fk.references.table}`);
      if (!to) continue;
      const id = `${tableId(t)}.${fk.name}`;
      // Out of the FK's first column on the right, into the referenced column on the left.
      const source = { id: `${id}#out`, x: from.width, y: rowY(from, fk.columns[0]), width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } };
      const targetId = `${to.id}#in:${fk.references.columns[0]}`;
      addPort(from, source);
      addPort(to, { id: targetId, x: 0, y: rowY(to, fk.references.columns[0]), width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } });
      edges.push({
        id,
        constraint: fk.name,
        from: from.id,
        fromColumns: fk.columns,
        to: to.id,
        toColumns: fk.references.columns,
        required: fk.columns.every((c) => t.columns.find((col) => col.name === c)?.notNull),
        points: [],
        elk: { id, sources: [source.id], targets: [targetId] },
      });
    }
  }

  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.padding': '[top=24,left=24,bottom=24,right=24]',
      'elk.spacing.nodeNode': '28',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '7',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '7',
      'elk.spacing.componentComponent': '48',
      'elk.separateConnectedComponents': 'true',
      // Unconnected parts are packed into rows near this shape. Layer wrapping is left off: it routes
      // edges back across the whole diagram to the next row.
      'elk.aspectRatio': '1.6',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.randomSeed': '1',
    },
    children: boxes.map((b) => ({
      id: b.id,
      width: b.width,
      height: b.height,
      ports: ports.get(b.id) ?? [],
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
    })),
    edges: edges.map((e) => e.elk),
  };

  const laid = await elk().layout(graph);
  for (const node of laid.children ?? []) {
    const box = boxById.get(node.id)!;
    box.x = node.x ?? 0;
    box.y = node.y ?? 0;
  }
  const routed = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  for (const edge of edges) {
    const section = routed.get(edge.id)?.sections?.[0];
    if (section) edge.points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x, y: p.y }));
  }
  return {
    title,
    width: Math.ceil(laid.width ?? 0),
    height: Math.ceil(laid.height ?? 0),
    boxes,
    edges: edges.map(({ elk: _elk, ...edge }) => edge),
  };
}

function sizeBox(t: Table, columns: string[], external: boolean, qualify: boolean): ErdBox {
  const pk = new Set(t.constraints.filter((c) => c.type === 'primary key').flatMap((c) => c.columns));
  const fk = new Set(foreignKeys(t).flatMap((c) => c.columns));
  const rows: ErdRow[] = columns.map((name) => {
    const column = t.columns.find((c) => c.name === name)!;
    return {
      column: name,
      marker: [pk.has(name) ? 'PK' : '', fk.has(name) ? 'FK' : ''].filter(Boolean).join(' '),
      name: truncate(name, MAX_NAME),
      type: truncate(column.type, MAX_TYPE),
      notNull: column.notNull,
    };
  });
  const label = truncate(qualify || external ? tableId(t) : t.name, MAX_NAME + 16);
  const markerWidth = Math.max(0, ...rows.map((r) => textWidth(r.marker)));
  const nameWidth = Math.max(0, ...rows.map((r) => textWidth(r.name)));
  const typeWidth = Math.max(0, ...rows.map((r) => textWidth(r.type)));
  const nameX = PAD_X + (markerWidth ? markerWidth + GAP : 0);
  const typeX = nameX + nameWidth + GAP;
  const width = Math.ceil(Math.max(typeX + typeWidth + PAD_X, PAD_X * 2 + textWidth(label, HEADER_FONT_SIZE), 120));
  return {
    id: tableId(t),
    schema: t.schema,
    table: t.name,
    label,
    external,
    rows,
    x: 0,
    y: 0,
    width,
    height: HEADER_HEIGHT + rows.length * ROW_HEIGHT + 4,
    nameX,
    typeX,
    ...(t.comment ? { comment: t.comment } : {}),
  };
}
