-- Withdrawal idempotency on exchanges without client ids (issue 11, item 5).
-- One intent per venue call, recorded BEFORE the call: after a crash or a lost answer, the intents say
-- that something may have been sent, what, and when (domain/treasury/withdrawal-intent.ts).
CREATE TABLE withdrawal_intents (
  seq             bigserial NOT NULL UNIQUE,
  id              text      PRIMARY KEY,
  workflow_id     text      NOT NULL,
  attempt         integer   NOT NULL CHECK (attempt >= 1),
  venue           text      NOT NULL,
  asset           text      NOT NULL,
  amount          numeric   NOT NULL CHECK (amount > 0),
  address         text      NOT NULL,
  network         text      NOT NULL,
  memo            text,
  idempotency_key text      NOT NULL,
  at_ms           bigint    NOT NULL,
  refused         text,
  UNIQUE (workflow_id, attempt)
);
-- Which transfer a venue withdrawal belongs to: one owner per withdrawal id, so two same-amount
-- transfers to one address cannot both claim one withdrawal.
CREATE TABLE withdrawal_attributions (
  venue          text   NOT NULL,
  withdrawal_id  text   NOT NULL,
  workflow_id    text   NOT NULL,
  at_ms          bigint NOT NULL,
  PRIMARY KEY (venue, withdrawal_id)
);
CREATE INDEX withdrawal_attributions_workflow ON withdrawal_attributions (workflow_id);
