-- bad: deleted_at with only full indexes
CREATE TABLE projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE tasks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES projects (id),
  title text NOT NULL,
  deleted_at timestamptz -- <- here
);
CREATE INDEX tasks_project_id_idx ON tasks (project_id);

-- bad: archived_at with a partial index on some other condition
CREATE TABLE posts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  published boolean NOT NULL DEFAULT false,
  archived_at timestamptz -- <- here
);
CREATE INDEX posts_published_idx ON posts (id) WHERE published;

-- good: a partial index for live rows, and a partial unique index
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX users_email_live_key ON users (email) WHERE deleted_at IS NULL;

-- good: the predicate may have more conditions
CREATE TABLE comments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id bigint NOT NULL,
  hidden boolean NOT NULL DEFAULT false,
  deleted_at timestamptz
);
CREATE INDEX comments_post_live_idx ON comments (post_id) WHERE deleted_at IS NULL AND NOT hidden;
