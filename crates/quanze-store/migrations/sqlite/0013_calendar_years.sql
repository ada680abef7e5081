-- Working-day calendar years (工作日历) loaded at run time, beside the official ones shipped
-- in the binary: one row per year, holding that year's `[[year]]` block of holidays-cn.toml as
-- text (what the core parses back at start-up), its number of working days, who loaded it and
-- when. A stored year replaces a shipped year of the same number (the State Council publishes
-- corrections); each load is one write with its event, which records what it added or
-- replaced.
CREATE TABLE calendar_years (
    year         BIGINT PRIMARY KEY,
    text         TEXT NOT NULL,
    working_days BIGINT NOT NULL,
    loaded_by    TEXT REFERENCES users (id),
    loaded_at    TEXT NOT NULL
);
