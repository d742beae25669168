-- bad: money columns
CREATE TABLE payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  amount money NOT NULL, -- <- here
  fee money -- <- here
);

-- good: numeric amount with its currency, and integer cents
CREATE TABLE charges (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  amount numeric(12,2) NOT NULL,
  currency char(3) NOT NULL,
  fee_cents bigint NOT NULL DEFAULT 0
);
