-- bad: a SECURITY DEFINER function resolving names through the caller's search_path
CREATE TABLE wallets (id uuid PRIMARY KEY, owner_id uuid NOT NULL, balance numeric NOT NULL DEFAULT 0);
CREATE FUNCTION wallet_balance(p_owner uuid) RETURNS numeric -- <- here
LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT balance FROM wallets WHERE owner_id = p_owner $$;

-- bad: a SECURITY DEFINER procedure
CREATE PROCEDURE reset_counters() LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN PERFORM 1; END $$; -- <- here

-- bad: any function in an exposed schema, in the supabase profile {"profile": "supabase"}
CREATE FUNCTION slugify(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(replace(value, ' ', '-')) $$; -- <- here

-- good: SECURITY DEFINER with an empty search_path and qualified names
CREATE TABLE vaults (id uuid PRIMARY KEY, owner_id uuid NOT NULL);
CREATE FUNCTION vault_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
AS $$ SELECT count(*) FROM pg_catalog.pg_class $$;

-- good: an ordinary function, in the default profile
CREATE FUNCTION add_one(n int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT n + 1 $$;

-- good: a trigger function with a fixed search_path, in the supabase profile {"profile": "supabase"}
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;
