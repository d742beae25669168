-- bad: a bitmap over ~3,000 pages in 64kB of work_mem goes lossy
CREATE TABLE documents (id bigint NOT NULL, score int NOT NULL, body text NOT NULL);
INSERT INTO documents SELECT g, (g * 7919) % 1000, repeat('x', 300) FROM generate_series(1, 60000) g;
CREATE INDEX documents_score_idx ON documents (score);
ANALYZE documents;
SET work_mem = '64kB';
SET enable_seqscan = off;
SET enable_indexscan = off;
SELECT count(*) FROM documents WHERE score < 500; -- <- here

-- good: enough work_mem keeps one bit per row
CREATE TABLE documents (id bigint NOT NULL, score int NOT NULL, body text NOT NULL);
INSERT INTO documents SELECT g, (g * 7919) % 1000, repeat('x', 300) FROM generate_series(1, 60000) g;
CREATE INDEX documents_score_idx ON documents (score);
ANALYZE documents;
SET work_mem = '16MB';
SET enable_seqscan = off;
SET enable_indexscan = off;
SELECT count(*) FROM documents WHERE score < 500;
