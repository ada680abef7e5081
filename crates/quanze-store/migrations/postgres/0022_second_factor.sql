-- Issue 17: a second factor (等保 2.0 L3 8.1.4.1 d: two factors, one cryptographic). An account's
-- TOTP secret (RFC 6238), sealed with SM4 under the personal-data key (hex of the seal, never in
-- clear); whether its enrolment was confirmed by a first code; the last time step accepted, so
-- that no code is accepted twice (RFC 6238 §5.2). Recovery codes are kept by their SM3 only and
-- used once. An SM2 public key (hex, uncompressed) is the other kind of factor: a USB key signs
-- a challenge.
ALTER TABLE users ADD COLUMN totp_sealed TEXT;
ALTER TABLE users ADD COLUMN totp_confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN sm2_public_key TEXT;

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
