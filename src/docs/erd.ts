// ERD as SVG, drawn by us from the ELK layout (erd-layout.ts): a box per table (name header, one row
// per column with PK/FK markers and its type), an orthogonal edge per foreign key from the FK column's
// row to the referenced column's row. Every element carries data-* attributes naming what it draws, so
// tests and other tools can read the diagram back.
import type { Table } from '../catalog/types.js';
import { FONT_SIZE, HEADER_FONT_SIZE, HEADER_HEIGHT, PAD_X, ROW_HEIGHT, layoutErd, type ErdBox, type ErdEdge, type ErdLayout } from './erd-layout.js';

export { layoutErd } from './erd-layout.js';

export interface ErdSvgOptions {
  /** Link each box to its page: the href for a table id (`schema.table`), relative to the SVG. */
  href?: (id: string) => string | undefined;
}

const FONT = `'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace`;

export async function renderErdSvg(title: string, tables: Table[], all: Table[], options: ErdSvgOptions = {}): Promise<{ svg: string; layout: ErdLayout }> {
  const layout = await layoutErd(title, tables, all);
  return { svg: erdSvg(layout, options), layout };
}

export function erdSvg(layout: ErdLayout, options: ErdSvgOptions = {}): string {
  const width = Math.max(layout.width, 200);
  const height = Math.max(layout.height, 80);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}" font-size="${FONT_SIZE}">`,
    `<title>${esc(layout.title)}</title>`,
    `<style>
.box{fill:#fff;stroke:#4a5568;stroke-width:1}
.external .box{stroke-dasharray:4 3;fill:#f7fafc}
.head{fill:#2b6cb0}
.external .head{fill:#718096}
.head-text{fill:#fff;font-weight:bold;font-size:${HEADER_FONT_SIZE}px}
.stripe{fill:#f1f5f9}
.marker{fill:#b7791f;font-weight:bold}
.name{fill:#1a202c}
.name.null{fill:#4a5568}
.type{fill:#718096}
.fk{fill:none;stroke:#4a5568;stroke-width:1.2}
.fk.optional{stroke-dasharray:5 3}
</style>`,
    `<defs><marker id="one" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M10,5 L0,1 L0,9 Z" fill="#4a5568"/></marker>` +
      `<marker id="many" viewBox="0 0 8 8" refX="1" refY="4" markerWidth="7" markerHeight="7"><circle cx="4" cy="4" r="3" fill="#fff" stroke="#4a5568"/></marker></defs>`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
  );
  out.push('<g class="edges">');
  for (const edge of layout.edges) out.push(edgeSvg(edge));
  out.push('</g>', '<g class="tables">');
  for (const box of layout.boxes) out.push(boxSvg(box, options.href?.(box.id)));
  out.push('</g>', '</svg>');
  return out.join('\n');
}

function edgeSvg(edge: ErdEdge): string {
  if (edge.points.length < 2) return '';
  const d = edge.points.map((p, i) => `${i ? 'L' : 'M'}${n(p.x)},${n(p.y)}`).join(' ');
  return (
    `<path class="fk${edge.required ? '' : ' optional'}" data-edge="${esc(edge.id)}" data-from="${esc(edge.from)}" data-from-columns="${esc(edge.fromColumns.join(','))}" ` +
    `data-to="${esc(edge.to)}" data-to-columns="${esc(edge.toColumns.join(','))}" d="${d}" marker-start="url(#many)" marker-end="url(#one)">` +
    `<title>${esc(`${edge.from}(${edge.fromColumns.join(', ')}) → ${edge.to}(${edge.toColumns.join(', ')}) ${edge.constraint}`)}</title></path>`
  );
}

function boxSvg(box: ErdBox, href: string | undefined): string {
  const { x, y, width } = box;
  const parts: string[] = [];
  parts.push(`<g class="table${box.external ? ' external' : ''}" data-table="${esc(box.id)}">`);
  parts.push(`<title>${esc(box.comment ? `${box.id}: ${box.comment}` : box.id)}</title>`);
  parts.push(`<rect class="box" data-table="${esc(box.id)}" x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(box.height)}" rx="3"/>`);
  parts.push(`<rect class="head" x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${HEADER_HEIGHT}" rx="3"/>`);
  const header = `<text class="head-text" x="${n(x + PAD_X)}" y="${n(y + HEADER_HEIGHT / 2)}" dominant-baseline="central">${esc(box.label)}</text>`;
  parts.push(href ? `<a href="${esc(href)}" xlink:href="${esc(href)}">${header}</a>` : header);
  box.rows.forEach((row, i) => {
    const top = y + HEADER_HEIGHT + i * ROW_HEIGHT;
    const mid = n(top + ROW_HEIGHT / 2);
    if (i % 2 === 1) parts.push(`<rect class="stripe" x="${n(x + 1)}" y="${n(top)}" width="${n(width - 2)}" height="${ROW_HEIGHT}"/>`);
    const attrs = `data-column="${esc(row.column)}" y="${mid}" dominant-baseline="central"`;
    if (row.marker) parts.push(`<text class="marker" ${attrs} x="${n(x + PAD_X)}">${esc(row.marker)}</text>`);
    parts.push(`<text class="name${row.notNull ? '' : ' null'}" ${attrs} x="${n(x + box.nameX)}">${esc(row.name)}</text>`);
    parts.push(`<text class="type" ${attrs} x="${n(x + box.typeX)}">${esc(row.type)}</text>`);
  });
  parts.push('</g>');
  return parts.join('');
}

const n = (v: number) => String(Math.round(v * 10) / 10);

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
