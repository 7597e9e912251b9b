-- The treasury ledger: one row per entry. The id (`<workflowId>:<step>`) is the idempotency key.
CREATE TABLE ledger_entries (
  seq          bigserial   NOT NULL UNIQUE,
  id           text        PRIMARY KEY,
  at_ms        bigint      NOT NULL,
  day          text        NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
  workflow_id  text        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('reservation', 'release', 'transfer', 'fee', 'suspense', 'reversal', 'trade', 'execution')),
  asset        text        NOT NULL,
  amount       numeric     NOT NULL,
  amount_usd   numeric     NOT NULL,
  from_ref     text,
  to_ref       text,
  tx_hash      text,
  note         text,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_workflow ON ledger_entries (workflow_id);
CREATE INDEX ledger_entries_kind_at ON ledger_entries (kind, at_ms);
