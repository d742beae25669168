-- bad: columns of reg* types that pg_upgrade rejects
CREATE TABLE job_handlers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  handler regprocedure NOT NULL, -- <- here
  search_config regconfig, -- <- here
  fallbacks regproc[] -- <- here
);

-- good: names stored as text, and the reg* types pg_upgrade accepts
CREATE TABLE audited_tables (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  handler_name text NOT NULL,
  tbl regclass NOT NULL,
  value_type regtype,
  owner regrole
);
