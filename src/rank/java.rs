//! Numbers printed the way spot-ml's results file has them: Java's `Double.toString`.
//!
//! Java prints the shortest decimal that reads back as the same double (JDK 19 and later; Java 8, which spot-ml
//! ran on, gave the same digits except for rare values where it printed one digit too many). For
//! 10⁻³ ≤ |x| < 10⁷ it is plain notation with at least one digit after the point (`0.5`, `1.0`, `0.0015`),
//! otherwise scientific with an upper-case `E` and at least one digit after the point (`1.0E-5`,
//! `6.661234567890123E-11`, `1.0E7`); zero is `0.0` (`-0.0` for negative zero). Where one digit would do, Java
//! prints the two-digit decimal closest to the value (JDK 19's rule: `4.9E-324` for the smallest double).

/// `x` as Java's `Double.toString(x)` prints it.
pub fn double_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let a = x.abs();
    if (1e-3..1e7).contains(&a) {
        // Rust's `{}` is the shortest round-trip decimal, in plain notation.
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{x:E}");
        let (mant, exp) = s.split_once('E').unwrap_or((&s, "0"));
        if mant.contains('.') {
            return format!("{mant}E{exp}");
        }
        // One digit is enough: Java then prints the two-digit decimal closest to x (`4.9E-324`, not `5.0E-324`),
        // which differs from `d.0` only where doubles are sparse (subnormals).
        let two = format!("{x:.1E}");
        if two.parse::<f64>().is_ok_and(|v| v == x) {
            two
        } else {
            format!("{mant}.0E{exp}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::double_to_string as j;

    #[test]
    fn as_java_prints_them() {
        // Values and texts as java.lang.Double.toString gives them.
        for (x, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.5, "0.5"),
            (0.1, "0.1"),
            (0.9000000000000001, "0.9000000000000001"),
            (0.001, "0.001"),
            (0.0015, "0.0015"),
            (9.99e-4, "9.99E-4"),
            (1e-5, "1.0E-5"),
            (3.4e-7, "3.4E-7"),
            (6.661234567890123e-11, "6.661234567890123E-11"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (1.5e300, "1.5E300"),
            (4.9e-324, "4.9E-324"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
        ] {
            assert_eq!(j(x), want, "{x:?}");
        }
    }

    #[test]
    fn every_printed_score_reads_back_as_the_same_double() {
        let mut x = 1.0f64;
        for _ in 0..2000 {
            x *= 0.987_654_321;
            assert_eq!(j(x).parse::<f64>().unwrap().to_bits(), x.to_bits(), "{x:?}");
        }
    }
}
