-- bad: the search box matches anywhere in the name
SELECT id, sku, name
FROM products
WHERE name LIKE '%mug%'; -- <- here

-- bad: ILIKE with the user's input between wildcards
SELECT p.id, p.name
FROM products AS p
WHERE p.description ILIKE '%' || $1 || '%'; -- <- here

-- bad: judged from the SQL alone {"catalog": false}
SELECT id FROM customers WHERE email LIKE '%@example.com'; -- <- here

-- good: a trigram index serves the pattern
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
SELECT id, sku, name FROM products WHERE name LIKE '%mug%';

-- good: a prefix pattern can use a btree index
SELECT id FROM products WHERE sku LIKE 'SKU-1%';

-- good: the pattern is a parameter: its shape is unknown
SELECT id FROM products WHERE name LIKE $1;
