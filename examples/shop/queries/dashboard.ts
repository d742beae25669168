// Back-office dashboard: queries as the application sends them, through node-postgres
// (pool.query) and a sql`…` tagged template (postgres.js style). pgarch lints the SQL inside;
// each ${…} substitution is a parameter ($1, $2, …) the driver sends separately.
import type { Pool } from 'pg';

type Sql = (strings: TemplateStringsArray, ...values: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** A customer's orders, newest first, one page at a time: OFFSET grows with the page number. */
export async function customerOrders(pool: Pool, customerId: number, page: number) {
  const { rows } = await pool.query(
    `SELECT id, status, total_cents, created_at
       FROM orders
      WHERE customer_id = $1
      ORDER BY created_at DESC
      LIMIT 20 OFFSET $2`,
    [customerId, (page - 1) * 20],
  );
  return rows;
}

/** Customer search: the term may match anywhere in the name, so no btree index can help. */
export function searchCustomers(sql: Sql, term: string) {
  return sql`
    SELECT id, email, display_name
    FROM customers
    WHERE display_name ILIKE '%' || ${term} || '%'
      AND deleted_at IS NULL
    ORDER BY display_name
    LIMIT 20`;
}

/** Written before 0006 renamed full_name to display_name, and never updated. */
export async function customerCard(pool: Pool, id: number) {
  const { rows } = await pool.query('SELECT id, email, full_name FROM customers WHERE id = $1', [id]);
  return rows[0];
}

/** Good: the audit trail of one row, newest first, continuing before the last entry shown. */
export function auditTrail(sql: Sql, table: string, rowId: string, before: Date) {
  return sql`
    SELECT occurred_at, action, changed_by
    FROM audit_log
    WHERE table_name = ${table} AND row_id = ${rowId} AND occurred_at < ${before}
    ORDER BY occurred_at DESC
    LIMIT 50`;
}

/** Not SQL: this cache's query() takes a key, and pgarch leaves strings that do not parse alone. */
export function cachedStats(cache: { query(key: string): unknown }) {
  return cache.query('dashboard:stats');
}
