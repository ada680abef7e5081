//! How the pooled writer sends a batch in few statements: the same statement of many jobs
//! becomes one statement with a row per job ([`Bulk`]).
//!
//! Why: on PostgreSQL every statement is a round trip to the server (tens of microseconds on
//! loopback, plus the server's own per-statement work), and a deadline tick writes three or
//! four statements into each of ~10,000 cases: tens of thousands of round trips per tick
//! (docs/performance.md, issue 15). SQLite's own writer runs in-process and does not use this.
//!
//! When it is sound: jobs that name different [`GroupJob::key`]s change different rows (the
//! key is the row they would contend for: a case), so running their statements statement by
//! statement across jobs gives what running them job after job gives, as long as each job's
//! own statements keep their order. [`plan`] cuts a batch into runs of consecutive jobs with
//! keys, no key twice in a run; a job without a key runs alone. Within a run it sends
//! *waves*: each wave takes one statement text, and every job whose next statement has that
//! text gives it (and the same text repeated right after it) as rows of the wave. The text a
//! wave takes is one that no job still needs after a different statement, when there is one,
//! so the common shapes (update the case, insert its step, insert its 督办) take one wave each.
//!
//! [`GroupJob::key`]: super::GroupJob::key
//! [`Bulk`]: super::Bulk

use std::collections::HashSet;

use super::Stmt;

/// One job's statement: the job's place in the batch and the statement's in the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Member {
    pub(super) job: usize,
    pub(super) stmt: usize,
}

/// What the writer sends next: the same statement text for each member, in order. With one
/// member, or a statement without a bulk form, the members go one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wave {
    pub(super) members: Vec<Member>,
}

/// The waves of a batch, `jobs[i]` being job `i`'s statements and `keys[i]` its key.
pub(super) fn plan(jobs: &[&[Stmt]], keys: &[Option<&str>]) -> Vec<Wave> {
    debug_assert_eq!(jobs.len(), keys.len());
    let mut waves = Vec::new();
    let mut start = 0;
    while start < jobs.len() {
        let mut seen = HashSet::new();
        let mut end = start;
        while end < jobs.len() && keys[end].is_some_and(|key| seen.insert(key)) {
            end += 1;
        }
        if end == start {
            // A job without a key: its statements one by one.
            waves.extend(
                (0..jobs[start].len())
                    .map(|stmt| Wave { members: vec![Member { job: start, stmt }] }),
            );
            start += 1;
        } else {
            run(jobs, start..end, &mut waves);
            start = end;
        }
    }
    waves
}

/// The waves of the run `jobs[range]` (jobs of distinct keys).
fn run(jobs: &[&[Stmt]], range: std::ops::Range<usize>, waves: &mut Vec<Wave>) {
    let mut next: Vec<usize> = vec![0; jobs.len()];
    loop {
        let heads: Vec<usize> = range.clone().filter(|&j| next[j] < jobs[j].len()).collect();
        let Some(&first) = heads.first() else { return };
        let text = |j: usize, s: usize| jobs[j][s].sql.as_ref();
        // The length of the run of `sql` at job `j`'s next statement.
        let prefix = |next: &[usize], j: usize, sql: &str| {
            jobs[j][next[j]..].iter().take_while(|s| s.sql.as_ref() == sql).count()
        };
        // A text that no job needs again after something else, else the first job's.
        let mut candidates: Vec<&str> = Vec::new();
        for &j in &heads {
            let sql = text(j, next[j]);
            if !candidates.contains(&sql) {
                candidates.push(sql);
            }
        }
        let chosen = candidates
            .iter()
            .copied()
            .find(|sql| {
                heads.iter().all(|&j| {
                    let skip = next[j] + prefix(&next, j, sql);
                    jobs[j][skip..].iter().all(|s| s.sql.as_ref() != *sql)
                })
            })
            .unwrap_or_else(|| text(first, next[first]));
        let mut members = Vec::new();
        for &j in &heads {
            let n = prefix(&next, j, chosen);
            members.extend((next[j]..next[j] + n).map(|stmt| Member { job: j, stmt }));
            next[j] += n;
        }
        waves.push(Wave { members });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmts(texts: &[&'static str]) -> Vec<Stmt> {
        texts.iter().map(|t| Stmt::new(*t)).collect()
    }

    /// The waves as (job, statement text) lists, to read the tests.
    fn shown(jobs: &[Vec<Stmt>], keys: &[Option<&str>]) -> Vec<Vec<(usize, &'static str)>> {
        let refs: Vec<&[Stmt]> = jobs.iter().map(Vec::as_slice).collect();
        plan(&refs, keys)
            .into_iter()
            .map(|w| {
                w.members
                    .iter()
                    .map(|m| {
                        let sql: &'static str = match &jobs[m.job][m.stmt].sql {
                            std::borrow::Cow::Borrowed(s) => s,
                            std::borrow::Cow::Owned(_) => unreachable!(),
                        };
                        (m.job, sql)
                    })
                    .collect()
            })
            .collect()
    }

    /// Every statement of every job exactly once, and each job's in its own order.
    fn assert_whole(jobs: &[Vec<Stmt>], keys: &[Option<&str>]) {
        let refs: Vec<&[Stmt]> = jobs.iter().map(Vec::as_slice).collect();
        let waves = plan(&refs, keys);
        for (j, job) in jobs.iter().enumerate() {
            let order: Vec<usize> = waves
                .iter()
                .flat_map(|w| w.members.iter().filter(|m| m.job == j).map(|m| m.stmt))
                .collect();
            assert_eq!(order, (0..job.len()).collect::<Vec<_>>(), "job {j}");
        }
    }

    #[test]
    fn jobs_of_different_keys_share_a_statement_per_text() {
        let jobs = vec![
            stmts(&["update", "step", "supervise", "supervise"]),
            stmts(&["update", "step"]),
            stmts(&["insert", "applicant", "step"]),
        ];
        let keys = [Some("a"), Some("b"), Some("c")];
        assert_eq!(
            shown(&jobs, &keys),
            vec![
                vec![(0, "update"), (1, "update")],
                vec![(2, "insert")],
                vec![(2, "applicant")],
                vec![(0, "step"), (1, "step"), (2, "step")],
                vec![(0, "supervise"), (0, "supervise")],
            ]
        );
        assert_whole(&jobs, &keys);
    }

    #[test]
    fn a_key_seen_twice_starts_a_new_run_and_a_job_without_one_runs_alone() {
        let jobs = vec![
            stmts(&["update", "step"]),
            stmts(&["update", "step"]),
            stmts(&["update", "step"]),
            stmts(&["update", "step"]),
        ];
        let keys = [Some("a"), Some("a"), None, Some("b")];
        assert_eq!(
            shown(&jobs, &keys),
            vec![
                vec![(0, "update")],
                vec![(0, "step")],
                vec![(1, "update")],
                vec![(1, "step")],
                vec![(2, "update")],
                vec![(2, "step")],
                vec![(3, "update")],
                vec![(3, "step")],
            ]
        );
        assert_whole(&jobs, &keys);
    }

    #[test]
    fn statements_in_opposite_orders_keep_each_jobs_order() {
        // No text comes first in both jobs: the waves follow the first job, and the second
        // job's statements wait for their turn.
        let jobs = vec![
            stmts(&["close", "supervise", "close"]),
            stmts(&["supervise", "close"]),
            stmts(&["step", "close", "supervise"]),
        ];
        let keys = [Some("a"), Some("b"), Some("c")];
        assert_whole(&jobs, &keys);
        let waves = shown(&jobs, &keys);
        assert!(waves.len() <= 5, "{waves:?}");
    }
}
