//! The markdown table the harness prints (and `scripts/bench.sh` puts in RESULTS.md).

use crate::measure::{Stats, Target};

/// The clients, in the table's column order.
pub const COLUMNS: [&str; 3] = ["docker-engine", "bollard", "curl"];

/// One line of the table: one metric of one workload, for every client that ran it.
pub struct Row {
    pub workload: String,
    pub title: String,
    pub metric: String,
    /// Indexed like [`COLUMNS`].
    pub stats: [Option<Stats>; 3],
    pub target: Target,
    /// A failure instead of numbers.
    pub error: Option<String>,
}

impl Row {
    pub fn failed(workload: &str, title: &str, error: String) -> Row {
        Row {
            workload: workload.into(),
            title: title.into(),
            metric: "—".into(),
            stats: [None; 3],
            target: Target::None,
            error: Some(error),
        }
    }
}

/// The table, with a verdict per target: **yes** / **NO**.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| workload | metric | docker-engine | bollard | curl | ratio de/bollard | target | met |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    let mut last = String::new();
    for r in rows {
        let label = if r.workload == last {
            String::new()
        } else {
            format!("**{}** {}", r.workload, r.title)
        };
        last.clone_from(&r.workload);
        if let Some(e) = &r.error {
            out += &format!("| {label} | FAILED: {} | | | | | | |\n", e.replace('|', "/"));
            continue;
        }
        let cell = |s: &Option<Stats>| s.map_or("—".into(), |s| s.show());
        let [engine, bollard, curl] = r.stats.map(|s| s.map(|s| s.median));
        let ratio = match (engine, bollard) {
            (Some(e), Some(b)) if b != 0.0 => format!("{:.2}", e / b),
            _ => "—".into(),
        };
        let met = match engine.and_then(|e| r.target.met(e, bollard, curl)) {
            Some(true) => "yes",
            // "At or ahead of bollard", missed by less than the spread of the runs.
            Some(false) if r.target.is_parity() && overlap(&r.stats[0], &r.stats[1]) => "tie",
            Some(false) => "**NO**",
            None => "",
        };
        out += &format!(
            "| {label} | {} | {} | {} | {} | {ratio} | {} | {met} |\n",
            r.metric,
            cell(&r.stats[0]),
            cell(&r.stats[1]),
            cell(&r.stats[2]),
            r.target.show(),
        );
    }
    out
}

fn overlap(a: &Option<Stats>, b: &Option<Stats>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.min <= b.max && b.min <= a.max)
}

/// A single value as a one-sample statistic (W7's crate counts).
pub fn single(x: f64) -> Option<Stats> {
    Some(Stats { median: x, min: x, max: x })
}
