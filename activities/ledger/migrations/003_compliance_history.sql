-- Compliance over time (issue 12, item 3): every 10-second sample of a venue's verdict, every
-- complianceCheck verdict with its rolling-window figures, the daily volume series (average daily
-- volume over 15 days outlives the samples' retention), and the alerts sent (durable de-duplication).
CREATE TABLE compliance_samples (
  venue            text     NOT NULL,
  at_ms            bigint   NOT NULL,
  source           text     NOT NULL CHECK (source IN ('sampler', 'check')),
  book_ok          boolean  NOT NULL,
  spread_pct       numeric,
  spread_ok        boolean  NOT NULL,
  depth            jsonb    NOT NULL,
  depth_ok         boolean  NOT NULL,
  volume24h_quote  numeric  NOT NULL CHECK (volume24h_quote >= 0),
  volume_ok        boolean  NOT NULL,
  compliant        boolean  NOT NULL,
  failed           text[]   NOT NULL,
  -- One sample per venue, time and source: a retried write records nothing twice. The primary key's
  -- index serves every (venue, at) range query.
  PRIMARY KEY (venue, at_ms, source)
);
CREATE INDEX compliance_samples_at ON compliance_samples (at_ms);

CREATE TABLE compliance_checks (
  id               text     PRIMARY KEY,
  venue            text     NOT NULL,
  at_ms            bigint   NOT NULL,
  compliant        boolean  NOT NULL,
  checks           jsonb    NOT NULL,
  windows          jsonb,
  windows_ok       boolean
);
CREATE INDEX compliance_checks_venue_at ON compliance_checks (venue, at_ms);

CREATE TABLE compliance_daily_volume (
  venue            text     NOT NULL,
  day              text     NOT NULL,
  volume24h_quote  numeric  NOT NULL CHECK (volume24h_quote >= 0),
  at_ms            bigint   NOT NULL,
  PRIMARY KEY (venue, day)
);

-- One row per alert message: (venue, rule, breach id, kind 'raised' | 'resolved'). A retry or a
-- second raise of an open breach finds its row and sends nothing new once sent_ms is set.
CREATE TABLE compliance_alerts (
  venue            text     NOT NULL,
  rule             text     NOT NULL,
  breach_id        text     NOT NULL,
  kind             text     NOT NULL CHECK (kind IN ('raised', 'resolved', 'escalated')),
  at_ms            bigint   NOT NULL,
  text             text     NOT NULL,
  sent_ms          bigint,
  PRIMARY KEY (venue, rule, breach_id, kind)
);
