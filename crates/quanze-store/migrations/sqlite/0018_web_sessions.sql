-- Issue 16: the staff's web sessions (网页会话). One row per session: the session's record as
-- the web layer keeps it (opaque JSON), whose account it is (so that an account's sessions
-- can all be ended), and when it expires (idle or absolute, whichever comes first). Sessions
-- are not recorded in the ledger; signing in is (`user.login`).
CREATE TABLE web_sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    record     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
