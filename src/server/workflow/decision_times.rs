//! How long people take to decide, from the moment a step asked them to their decision,
//! kept as counts per day, definition version, step and time bucket. A bucket is a
//! quarter of a doubling wide (each bound 19% above the one before), so a percentile read
//! from the counts is within 19% of the true one, and a year of decisions fits in about
//! a hundred buckets per step and day.

use crate::server::entities::decision_time;
use assent_engine::runtime::model::Instance;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{DatabaseTransaction, DbErr, EntityTrait, Set};
use std::collections::BTreeMap;

/// Buckets per doubling of the time.
const PER_DOUBLING: f64 = 4.0;

/// Bucket 0 holds decisions within the first second; bucket `b` above it holds those
/// taking from `2^((b-1)/4)` up to `2^(b/4)` seconds.
pub(crate) fn bucket_of(seconds: f64) -> i16 {
    if seconds < 1.0 {
        return 0;
    }
    // Up to i16::MAX the float is exact enough; no decision waits 2^8000 seconds.
    ((seconds.log2() * PER_DOUBLING).floor() as i16).saturating_add(1)
}

/// The longest time a bucket holds, in seconds: what a percentile falling in it reports.
pub(crate) fn upper_seconds(bucket: i16) -> f64 {
    (f64::from(bucket) / PER_DOUBLING).exp2()
}

/// The time under which `quantile` (0 to 1) of the decisions counted in `buckets` fell,
/// in seconds; `None` without decisions.
pub(crate) fn percentile(buckets: &BTreeMap<i16, u64>, quantile: f64) -> Option<f64> {
    let total: u64 = buckets.values().sum();
    if total == 0 {
        return None;
    }
    // The rank of the decision that marks the quantile, counting from 1.
    let rank = ((quantile * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (bucket, count) in buckets {
        seen += count;
        if seen >= rank {
            return Some(upper_seconds(*bucket));
        }
    }
    None
}

/// The decisions people took in the step from `before` to `after` (not the timeouts'),
/// each as (step, day decided, bucket).
fn new_decisions(before: &Instance, after: &Instance) -> Vec<(String, NaiveDate, i16)> {
    let mut found = Vec::new();
    for run in &after.runs {
        let Some(approval) = &run.approval else {
            continue;
        };
        let known = before
            .run(run.seq)
            .and_then(|earlier| earlier.approval.as_ref())
            .map_or(0, |earlier| earlier.decisions.len());
        for decision in approval.decisions.iter().skip(known) {
            if decision.by_timeout {
                continue;
            }
            let waited_ms = decision.at.0.saturating_sub(run.started_at.0).max(0);
            let day = super::from_timestamp(decision.at).date_naive();
            found.push((
                run.activity.to_string(),
                day,
                bucket_of(waited_ms as f64 / 1000.0),
            ));
        }
    }
    found
}

/// Counts the decisions of this step, in its transaction.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    definition_id: i32,
    before: &Instance,
    after: &Instance,
) -> Result<(), DbErr> {
    let mut counts: BTreeMap<(String, NaiveDate, i16), i64> = BTreeMap::new();
    for key in new_decisions(before, after) {
        *counts.entry(key).or_default() += 1;
    }
    for ((activity, day, bucket), decisions) in counts {
        decision_time::Entity::insert(decision_time::ActiveModel {
            day: Set(day),
            definition_id: Set(definition_id),
            activity: Set(activity),
            bucket: Set(bucket),
            decisions: Set(decisions),
        })
        .on_conflict(
            OnConflict::columns([
                decision_time::Column::Day,
                decision_time::Column::DefinitionId,
                decision_time::Column::Activity,
                decision_time::Column::Bucket,
            ])
            // Qualified: PostgreSQL finds a bare `decisions` ambiguous here.
            .value(
                decision_time::Column::Decisions,
                Expr::cust("decision_times.decisions + excluded.decisions"),
            )
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_a_quarter_doubling_wide() {
        assert_eq!(bucket_of(0.0), 0);
        assert_eq!(bucket_of(0.999), 0);
        assert_eq!(bucket_of(1.0), 1);
        assert_eq!(bucket_of(60.0), 24);
        // Every time lies at or below its bucket's upper bound, and above the one before.
        for seconds in [1.0, 1.5, 59.0, 60.0, 3_600.0, 86_400.0, 31_536_000.0] {
            let bucket = bucket_of(seconds);
            assert!(seconds <= upper_seconds(bucket), "{seconds} in {bucket}");
            assert!(
                seconds >= upper_seconds(bucket - 1),
                "{seconds} in {bucket}"
            );
            assert!(
                upper_seconds(bucket) / seconds < 1.2,
                "{seconds} within 19%"
            );
        }
    }

    #[test]
    fn percentiles_read_the_bucket_holding_the_rank() {
        let minute = bucket_of(60.0);
        let hour = bucket_of(3_600.0);
        let day = bucket_of(86_400.0);
        let counts = BTreeMap::from([(minute, 50), (hour, 40), (day, 10)]);
        assert_eq!(percentile(&counts, 0.5), Some(upper_seconds(minute)));
        assert_eq!(percentile(&counts, 0.51), Some(upper_seconds(hour)));
        assert_eq!(percentile(&counts, 0.9), Some(upper_seconds(hour)));
        assert_eq!(percentile(&counts, 0.99), Some(upper_seconds(day)));
        assert_eq!(percentile(&BTreeMap::new(), 0.5), None);
    }
}
