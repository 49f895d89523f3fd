//! Quantities and durations: Spark sizes and durations, Kubernetes CPU and memory quantities, Go
//! durations, each read as the program that reads it does, with its range.

/// A Go duration as `time.ParseDuration` reads it (External Secrets' `refreshInterval`): numbers,
/// each with a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), such as `1h30m` or `.5h`, or `0`;
/// at most an int64 of nanoseconds (about 292 years). A negative one is refused: no setting the
/// tool writes takes one.
pub fn go_duration(s: &str) -> Result<(), String> {
    let mut rest = s;
    if rest.is_empty() {
        return Err("is empty".into());
    }
    if rest == "0" {
        return Ok(());
    }
    let too_long = || "is longer than a Go duration can be (about 292 years)".to_string();
    // Nanoseconds summed in integers, each part checked, as Go does.
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        // Go wants digits before or after the point (`1.h` and `.5h` are durations).
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return Err("is not a duration such as 1h or 30m".into());
        }
        rest = &rest[digits..];
        let (unit, nanos) = [
            ("ns", 1u64),
            ("us", 1_000),
            ("\u{b5}s", 1_000),
            ("\u{3bc}s", 1_000),
            ("ms", 1_000_000),
            ("s", 1_000_000_000),
            ("m", 60_000_000_000),
            ("h", 3_600_000_000_000),
        ]
        .into_iter()
        .find(|(u, _)| rest.starts_with(u) && !(*u == "m" && rest.starts_with("ms")))
        .ok_or_else(|| "needs a unit after each number: ns, us, ms, s, m or h".to_string())?;
        rest = &rest[unit.len()..];
        // Go reads the whole part as a uint64 and refuses more.
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_long())?
        };
        // The fraction as Go adds it: scaled in floating point, then truncated.
        let fraction = format!("0.{fraction}0").parse::<f64>().unwrap_or(0.0) * nanos as f64;
        total += u128::from(whole) * u128::from(nanos) + fraction as u128;
        if total > i64::MAX as u128 {
            return Err(too_long());
        }
    }
    Ok(())
}

/// A Spark duration (`spark.network.timeout`-style): a whole number and a unit, `us`, `ms`, `s`,
/// `m` or `min`, `h` or `d` (e.g. `60s`, `5min`, `2h`). Spark reads a number without a unit in
/// the setting's own unit, which differs per setting, so the unit is required here.
pub fn spark_duration(s: &str) -> Result<(), String> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits == 0 {
        return Err("is not a duration such as 60s or 5min".into());
    }
    const UNITS: [&str; 7] = ["us", "ms", "s", "m", "min", "h", "d"];
    if !UNITS.contains(&&s[digits..]) {
        return Err("needs a unit after the number: us, ms, s, m (or min), h or d".into());
    }
    // Spark reads the number as a Java long (`JavaUtils.timeStringAs`), then converts it to the
    // setting's unit, saturating rather than failing.
    s[..digits]
        .parse::<i64>()
        .map(|_| ())
        .map_err(|_| "is too long for Spark, which reads the number as a 64-bit integer".into())
}

/// Size units of the Spark sizes the tool writes, with their multiplier in MiB. Spark also takes
/// `p` and a trailing `b` (`2gb`), but the driver's heap reaches the JVM as `-Xmx2gb`, which the
/// JVM refuses ("Invalid maximum heap size"): one form for every size, the one both read.
pub const SPARK_MEMORY_UNITS: [(char, u64); 4] =
    [('k', 0), ('m', 1), ('g', 1 << 10), ('t', 1 << 20)];

/// The JSON-schema pattern of a Spark size (the config's schema and the chart's
/// `values.schema.json`): what [`spark_memory_mib`] accepts matches it (a test keeps it so).
pub const SPARK_MEMORY_PATTERN: &str = "^[1-9][0-9]*[kKmMgGtT]$";

/// The largest memory setting we accept, in MiB (64 TiB): anything above is a typo.
pub const MAX_SPARK_MEMORY_MIB: u64 = 64 << 20;

/// Parses a Spark memory string (`512m`, `2g`, `1024k`; the unit is required, either case) to
/// whole MiB.
pub fn spark_memory_mib(s: &str) -> Result<u64, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(without) = lower
        .strip_suffix('b')
        .filter(|t| t.ends_with(|c: char| c.is_ascii_alphabetic()))
    {
        // `2GiB` and `2GB` are both `2g` to Spark, which counts in powers of 1024.
        let without = without.strip_suffix('i').unwrap_or(without);
        return Err(format!(
            "has a trailing 'b', which the JVM refuses as a heap size (-Xmx{s}); write {without}, the form Spark and the JVM both read"
        ));
    }
    let Some(unit) = lower.chars().last().filter(|c| c.is_ascii_alphabetic()) else {
        return Err("needs a unit: k, m, g or t (e.g. 512m, 2g)".into());
    };
    let Some(&(_, mib)) = SPARK_MEMORY_UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(format!(
            "has unknown unit {unit:?}; use k, m, g or t (e.g. 512m, 2g)"
        ));
    };
    let digits = &lower[..lower.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a whole number followed by a unit (e.g. 512m, 2g)".into());
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err("must not start with 0 (e.g. 512m, 2g)".into());
    }
    let n: u64 = digits.parse().map_err(|_| "is too large".to_string())?;
    let total = if unit == 'k' {
        n / 1024
    } else {
        n.checked_mul(mib).ok_or("is too large")?
    };
    if total == 0 {
        return Err("must be at least 1m".into());
    }
    if total > MAX_SPARK_MEMORY_MIB {
        return Err("is larger than 64t; check the unit".into());
    }
    Ok(total)
}

/// A Kubernetes CPU quantity as Spark's `request.cores`/`limit.cores` take it: `500m`, `1`, `1.5`.
/// Its value in millicores (rounded up, as Kubernetes does), to compare a limit with a request.
pub fn cpu_quantity(s: &str) -> Result<u64, String> {
    let digits = s.strip_suffix('m').unwrap_or(s);
    let valid = !digits.is_empty()
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && (!s.ends_with('m') || !digits.contains('.'));
    if !valid {
        return Err("must be a CPU quantity such as 500m, 1 or 1.5".into());
    }
    if digits.bytes().all(|b| b == b'0' || b == b'.') {
        return Err("must be more than 0".into());
    }
    let too_large = || "is too large for a CPU quantity".to_string();
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: u64 = whole.parse().map_err(|_| too_large())?;
    if s.ends_with('m') {
        return Ok(whole);
    }
    let thousandths: u64 = format!("{:0<3}", &fraction[..fraction.len().min(3)])
        .parse()
        .unwrap_or(0);
    let rounded_up = u64::from(fraction.len() > 3 && fraction[3..].bytes().any(|b| b != b'0'));
    whole
        .checked_mul(1000)
        .and_then(|m| m.checked_add(thousandths + rounded_up))
        .ok_or_else(too_large)
}

/// A Kubernetes memory quantity for container resources: `512Mi`, `1Gi`, `1G`, `1000000`. Its
/// value in bytes, to compare a limit with a request.
pub fn memory_quantity(s: &str) -> Result<u128, String> {
    const SUFFIXES: [(&str, u128); 12] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("Ei", 1 << 60),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
        ("E", 1_000_000_000_000_000_000),
    ];
    let (digits, unit) = SUFFIXES
        .iter()
        .find_map(|(suffix, unit)| s.strip_suffix(suffix).map(|d| (d, *unit)))
        .unwrap_or((s, 1));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a memory quantity such as 512Mi or 1Gi".into());
    }
    if digits.bytes().all(|b| b == b'0') {
        return Err("must be more than 0".into());
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| u128::from(n).checked_mul(unit))
        .filter(|bytes| *bytes <= u128::from(u64::MAX))
        .ok_or_else(|| "is too large for a memory quantity".into())
}
