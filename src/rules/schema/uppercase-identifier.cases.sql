-- bad: a quoted mixed-case table and columns
CREATE TABLE "OrderItems" ( -- <- here
  "Id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- <- here
  "orderId" bigint NOT NULL, -- <- here
  quantity int NOT NULL
);

-- good: upper case in the source is folded to lower case when not quoted
CREATE TABLE OrderLines (
  Id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  OrderId bigint NOT NULL,
  "unit_price" numeric(12,2)
);

-- bad: names whose lower case is a reserved word: the hint suggests one that is not
CREATE TABLE "User" ( -- <- here
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "Order" int NOT NULL -- <- here
);
