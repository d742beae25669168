-- bad: a ten-way join planned exhaustively takes longer than running it
CREATE TABLE t1 (id int PRIMARY KEY, v int);
CREATE TABLE t2 (id int PRIMARY KEY, v int);
CREATE TABLE t3 (id int PRIMARY KEY, v int);
CREATE TABLE t4 (id int PRIMARY KEY, v int);
CREATE TABLE t5 (id int PRIMARY KEY, v int);
CREATE TABLE t6 (id int PRIMARY KEY, v int);
CREATE TABLE t7 (id int PRIMARY KEY, v int);
CREATE TABLE t8 (id int PRIMARY KEY, v int);
CREATE TABLE t9 (id int PRIMARY KEY, v int);
CREATE TABLE t10 (id int PRIMARY KEY, v int);
SET join_collapse_limit = 20;
SET from_collapse_limit = 20;
SET geqo = off;
SELECT * FROM t1 JOIN t2 ON t2.id = t1.v JOIN t3 ON t3.id = t2.v JOIN t4 ON t4.id = t3.v JOIN t5 ON t5.id = t4.v -- <- here
  JOIN t6 ON t6.id = t5.v JOIN t7 ON t7.id = t6.v JOIN t8 ON t8.id = t7.v JOIN t9 ON t9.id = t8.v JOIN t10 ON t10.id = t9.v
  WHERE t1.v = t10.v AND t2.v = t9.v AND t3.v = t8.v AND t4.v = t7.v;

-- good: a two-table join plans in well under a millisecond
CREATE TABLE t1 (id int PRIMARY KEY, v int);
CREATE TABLE t2 (id int PRIMARY KEY, v int);
SELECT * FROM t1 JOIN t2 ON t2.id = t1.v;
