-- Issue 17: API tokens expire. `expires_at` is the absolute end (12 hours for a sign-in's token
-- by default, 90 days for a named integration token); `used_at` the last use, refreshed at most
-- once a minute, and `idle_secs` how long the token may go unused (30 minutes for a sign-in's
-- token). Tokens issued before this migration had no end: they end now, and their holders sign
-- in again.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN idle_secs BIGINT;
UPDATE api_tokens SET expires_at = created_at, used_at = created_at, idle_secs = 0;
