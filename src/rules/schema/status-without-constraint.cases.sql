-- bad: status and type columns that accept any string
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  status text NOT NULL DEFAULT 'pending', -- <- here
  payment_type varchar(20) -- <- here
);

-- good: a CHECK, an enum, and a foreign key to a lookup table
CREATE TYPE ticket_kind AS ENUM ('bug', 'feature');
CREATE TABLE ticket_states (state text PRIMARY KEY);
CREATE TABLE tickets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  kind ticket_kind NOT NULL,
  state text NOT NULL REFERENCES ticket_states (state)
);

-- good: names that only look like a status
CREATE TABLE addresses (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  street text,
  city text,
  state text
);
CREATE TABLE files (id bigint PRIMARY KEY, content_type text NOT NULL, statuses_seen int, typed_by text);

-- good: a polymorphic association: commentable_type names the model commentable_id points into (Rails)
CREATE TABLE comments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  commentable_type varchar NOT NULL,
  commentable_id bigint NOT NULL,
  body text
);

-- bad: a _type column without its _id is a code
CREATE TABLE notifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_type text NOT NULL, -- <- here
  recipient_id bigint
);
