-- Daily reports (issue 12, item 4): one report per asset and UTC day, as the JSON model and the HTML
-- page rendered from it. A retry or a rerun for the same day replaces the row (upsert on the key).
CREATE TABLE daily_reports (
  asset            text    NOT NULL,
  day              text    NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
  report           jsonb   NOT NULL,
  html             text    NOT NULL,
  generated_at_ms  bigint  NOT NULL,
  workflow_id      text    NOT NULL,
  run_id           text    NOT NULL,
  stored_at_ms     bigint  NOT NULL,
  PRIMARY KEY (asset, day)
);
