-- Counters for throttling (sign-in attempts, public look-ups, anonymous
-- submissions), in the database so that they survive a restart and are shared by
-- every server of one PostgreSQL database.
--
-- One row per bucket (e.g. `signin:user-ip:tiepnhan|203.0.113.9`) and fixed
-- window: the window opens at the bucket's first hit (`window_start`) and ends at
-- `expires_at`; the first hit after that opens a new window. A row past
-- `expires_at` means nothing any more and is pruned by the expiry index.
CREATE TABLE throttle (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX throttle_expiry ON throttle (expires_at);
