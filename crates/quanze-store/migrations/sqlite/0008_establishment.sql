-- Establishment (机构编制): the towns' functional bodies, every unit's quotas with their
-- adjustment history, and seconded units' dual management, as one JSON document of the core's
-- `Establishment`. Its rules (at most ten bodies a town, totals only decrease without an
-- approval) are checked in the core on the whole document before it is written.
CREATE TABLE establishment (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    doc TEXT NOT NULL
);
