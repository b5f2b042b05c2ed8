//! What one run of a workload measured, and the statistics and verdicts of the report.

use std::time::{Duration, Instant};

/// CPU time (user + system) of `who`: `RUSAGE_SELF` (every thread of this process) or
/// `RUSAGE_CHILDREN` (children this process has waited for, and theirs).
pub fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// One run of one workload by one client.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Wall-clock time of the measured part.
    pub wall: Duration,
    /// Client CPU time (user + sys) of the measured part.
    pub cpu: Duration,
    /// How much work was done: requests, bytes or cycles, as the workload counts.
    pub units: f64,
    /// A value the workload measured itself (peak RSS in KiB for W8).
    pub value: f64,
}

/// Start measuring this process: wall clock and `RUSAGE_SELF`.
pub struct Meter {
    who: libc::c_int,
    wall: Instant,
    cpu: Duration,
}

impl Meter {
    /// Measure this process (every thread).
    pub fn start() -> Meter {
        Meter::of(libc::RUSAGE_SELF)
    }

    /// Measure children waited for from now on.
    pub fn children() -> Meter {
        Meter::of(libc::RUSAGE_CHILDREN)
    }

    fn of(who: libc::c_int) -> Meter {
        Meter { who, wall: Instant::now(), cpu: cpu_time(who) }
    }

    /// The sample, with `units` of work done.
    pub fn stop(self, units: f64) -> Sample {
        Sample { wall: self.wall.elapsed(), cpu: cpu_time(self.who) - self.cpu, units, value: 0.0 }
    }
}

/// Median, minimum and maximum of one metric over the repetitions.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(values: &[f64]) -> Option<Stats> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Some(Stats { median, min: v[0], max: v[n - 1] })
    }

    /// `median (min–max)` with a precision that fits the magnitude; one value alone.
    pub fn show(&self) -> String {
        if self.min == self.max {
            return num(self.median);
        }
        format!("{} ({}–{})", num(self.median), num(self.min), num(self.max))
    }
}

/// A number with 3 significant digits, at least.
pub fn num(x: f64) -> String {
    match x.abs() {
        _ if x.fract() == 0.0 => format!("{x:.0}"),
        a if a >= 100.0 => format!("{x:.0}"),
        a if a >= 10.0 => format!("{x:.1}"),
        a if a >= 1.0 => format!("{x:.2}"),
        _ => format!("{x:.3}"),
    }
}

/// What docker-engine should reach on a metric.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// No target: reported only.
    None,
    /// docker-engine's median at most this.
    AtMost(f64),
    /// docker-engine's median at least `factor` x bollard's.
    BollardTimes(f64),
    /// docker-engine's median at most `factor` x bollard's (lower is better).
    BollardTimesAtMost(f64),
    /// docker-engine's median at least `factor` x curl's.
    CurlTimes(f64),
}

impl Target {
    pub fn show(&self) -> String {
        match self {
            Target::None => "—".into(),
            Target::AtMost(x) => format!("≤ {}", num(*x)),
            Target::BollardTimes(f) => format!("≥ {f}x bollard"),
            Target::BollardTimesAtMost(f) => format!("≤ {f}x bollard"),
            Target::CurlTimes(f) => format!("≥ {f}x curl"),
        }
    }

    /// "At or ahead of bollard" (DESIGN.md section 8), as opposed to a number.
    pub fn is_parity(&self) -> bool {
        matches!(self, Target::BollardTimes(f) | Target::BollardTimesAtMost(f) if *f == 1.0)
    }

    /// Whether docker-engine's median meets the target: `None` where there is none.
    pub fn met(&self, engine: f64, bollard: Option<f64>, curl: Option<f64>) -> Option<bool> {
        match *self {
            Target::None => None,
            Target::AtMost(x) => Some(engine <= x),
            Target::BollardTimes(f) => bollard.map(|b| engine >= f * b),
            Target::BollardTimesAtMost(f) => bollard.map(|b| engine <= f * b),
            Target::CurlTimes(f) => curl.map(|c| engine >= f * c),
        }
    }
}
