-- bad: a column, a named constraint and a named index over 63 bytes
CREATE TABLE subscriptions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_notification_preference_for_renewal_reminders_by_email_address boolean, -- <- here
  plan text,
  CONSTRAINT subscriptions_plan_must_be_one_of_the_plans_offered_on_the_pricing_page CHECK (plan <> '') -- <- here
);
CREATE INDEX subscriptions_plan_index_for_the_monthly_revenue_report_by_plan_and_id ON subscriptions (plan, id); -- <- here

-- bad: a table name over 63 bytes
CREATE TABLE customer_subscription_renewal_reminder_email_delivery_attempts_log ( -- <- here
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY
);

-- good: generated names that PostgreSQL shortened itself
CREATE TABLE renewal_reminder_delivery_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_reminder_channel_preference_id bigint UNIQUE
);
CREATE INDEX ON renewal_reminder_delivery_attempts (subscription_reminder_channel_preference_id, id);
