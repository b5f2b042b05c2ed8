//! Engine API versions (`1.41`, `1.51`, ...).

use std::fmt;
use std::str::FromStr;

/// An Engine API version, ordered numerically (`1.9 < 1.41`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    major: u16,
    minor: u16,
}

impl ApiVersion {
    /// The version of the spec this crate was generated from.
    pub const SPEC: ApiVersion = parse_const(crate::operations::SPEC_API_VERSION);

    /// `major.minor`.
    ///
    /// ```
    /// use docker_engine::ApiVersion;
    /// let v: ApiVersion = "1.41".parse()?;
    /// assert_eq!(v, ApiVersion::new(1, 41));
    /// assert!(ApiVersion::new(1, 9) < v); // numeric, not textual, order
    /// assert_eq!(v.to_string(), "1.41");
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub const fn new(major: u16, minor: u16) -> ApiVersion {
        ApiVersion { major, minor }
    }

    /// Major part.
    ///
    /// ```
    /// let v = docker_engine::ApiVersion::new(1, 44);
    /// assert_eq!((v.major(), v.minor()), (1, 44));
    /// ```
    pub fn major(&self) -> u16 {
        self.major
    }

    /// Minor part.
    ///
    /// ```
    /// let v = docker_engine::ApiVersion::SPEC;
    /// println!("generated from API {}.{}", v.major(), v.minor());
    /// ```
    pub fn minor(&self) -> u16 {
        self.minor
    }
}

const fn parse_const(s: &str) -> ApiVersion {
    let b = s.as_bytes();
    let mut i = 0;
    let mut major = 0u16;
    while i < b.len() && b[i] != b'.' {
        major = major * 10 + (b[i] - b'0') as u16;
        i += 1;
    }
    i += 1;
    let mut minor = 0u16;
    while i < b.len() {
        minor = minor * 10 + (b[i] - b'0') as u16;
        i += 1;
    }
    ApiVersion { major, minor }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// `"1.41"` parses; so does `"v1.41"`. Anything else is an error.
impl FromStr for ApiVersion {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || crate::Error::Version(format!("{s:?} is not an API version such as 1.41"));
        let t = s.trim().strip_prefix('v').unwrap_or(s.trim());
        let (a, b) = t.split_once('.').ok_or_else(bad)?;
        let digits =
            |x: &str| !x.is_empty() && x.len() <= 4 && x.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Err(bad());
        }
        Ok(ApiVersion::new(
            a.parse().map_err(|_| bad())?,
            b.parse().map_err(|_| bad())?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_orders_and_prints() {
        let v: ApiVersion = "1.41".parse().unwrap();
        assert_eq!(v, ApiVersion::new(1, 41));
        assert!(ApiVersion::new(1, 9) < v);
        assert_eq!("v1.51".parse::<ApiVersion>().unwrap().to_string(), "1.51");
        for bad in ["", "1", "1.", ".1", "a.b", "1.41.2", "1.-1", "99999.1"] {
            assert!(bad.parse::<ApiVersion>().is_err(), "{bad}");
        }
        assert!(ApiVersion::SPEC >= ApiVersion::new(1, 41));
    }
}
