-- A small shop with an events stream: the schema the index advisor example and tests use.
-- Six tables; data.sql fills the big ones with 100k+ rows each, workload.sql is what the app runs.
create extension if not exists pg_trgm;

create table categories (
    id bigint generated always as identity primary key,
    name text not null,
    parent_id bigint references categories
);

create table customers (
    id bigint generated always as identity primary key,
    email text not null,
    name text not null,
    country text not null,
    created_at timestamptz not null default now()
);
-- The app once filtered customers by country alone.
create index customers_country_idx on customers (country);

create table products (
    id bigint generated always as identity primary key,
    sku text not null unique,
    name text not null,
    category_id bigint not null references categories,
    price numeric(10, 2) not null,
    created_at timestamptz not null default now()
);

create table orders (
    id bigint generated always as identity primary key,
    customer_id bigint not null references customers,
    status text not null check (status in ('pending', 'paid', 'shipped', 'cancelled')),
    total numeric(12, 2) not null,
    created_at timestamptz not null default now(),
    shipped_at timestamptz
);
-- Added for a report that was deleted since: nothing reads it any more.
create index orders_shipped_at_idx on orders (shipped_at);

create table order_items (
    order_id bigint not null references orders,
    product_id bigint not null references products,
    quantity integer not null,
    unit_price numeric(10, 2) not null,
    primary key (order_id, product_id)
);

create table events (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    kind text not null,
    payload jsonb not null,
    created_at timestamptz not null default now()
);
