//! Classifies a typed-literal token (`10.1.1.0/24`, `8GiB`, `90s`, MACs,
//! IPv6) into its value. The grammar lexes these permissively on purpose:
//! every malformed one is an E0102 on exactly that token.

use super::ast::{ExprKind, Literal};
use crate::diag::{codes, Diagnostic};
use crate::ir::value::{Cidr, Duration, IpRange, Mac, Size};
use crate::span::Span;
use std::net::{IpAddr, Ipv4Addr};

/// What a token means, and the findings it carries (E0102, E0103).
pub fn classify(text: &str, span: Span) -> (ExprKind, Vec<Diagnostic>) {
    match classify_inner(text, span) {
        Ok((kind, extra)) => (kind, extra),
        Err(why) => {
            let d = Diagnostic::new(
                &codes::BAD_LITERAL,
                span,
                format!("`{text}` is not a valid literal"),
            )
            .label(why.label)
            .help(why.help);
            (ExprKind::Invalid, vec![d])
        }
    }
}

struct Why {
    label: String,
    help: String,
}

fn why(label: impl Into<String>, help: impl Into<String>) -> Why {
    Why {
        label: label.into(),
        help: help.into(),
    }
}

type Classified = Result<(ExprKind, Vec<Diagnostic>), Why>;

/// Which separators a token holds, counted in one pass: most tokens are
/// told apart by these alone, without searching the text once per check.
struct Shape {
    dash: bool,
    slash: bool,
    colon: bool,
    dots: usize,
    /// Only ASCII digits and dots.
    numeric: bool,
}

fn shape(text: &str) -> Shape {
    let mut s = Shape {
        dash: false,
        slash: false,
        colon: false,
        dots: 0,
        numeric: true,
    };
    for b in text.bytes() {
        match b {
            b'-' => s.dash = true,
            b'/' => s.slash = true,
            b':' => s.colon = true,
            b'.' => s.dots += 1,
            _ => {}
        }
        s.numeric &= b.is_ascii_digit() || b == b'.';
    }
    s
}

fn classify_inner(text: &str, span: Span) -> Classified {
    let lit = |l| Ok((ExprKind::Literal(l), Vec::new()));
    let shape = shape(text);
    if shape.numeric && shape.dots == 0 {
        return text
            .parse::<u64>()
            .map(|n| (ExprKind::Int(n), Vec::new()))
            .map_err(|_| {
                why(
                    "this integer does not fit in 64 bits",
                    "use a smaller number",
                )
            });
    }
    if let Some((a, b)) = shape.dash.then(|| split_range(text)).flatten() {
        let start = parse_ip(a)?;
        let end = parse_ip(b)?;
        return match IpRange::new(start, end) {
            Some(r) => lit(Literal::Range(r)),
            None if start.is_ipv4() != end.is_ipv4() => Err(why(
                "a range cannot mix IPv4 and IPv6",
                "write both ends in one family",
            )),
            None => Err(why(
                "this range ends before it starts",
                format!("did you mean `{end}-{start}`?"),
            )),
        };
    }
    if let Some((addr, prefix)) = shape.slash.then(|| text.split_once('/')).flatten() {
        return classify_cidr(text, addr, prefix, span);
    }
    if shape.colon && is_mac_shaped(text) {
        return parse_mac(text).map(|m| (ExprKind::Literal(Literal::Mac(m)), Vec::new()));
    }
    // Four dot-separated parts of digits look like IPv4.
    if shape.colon || shape.numeric && shape.dots == 3 {
        return parse_ip(text).map(|ip| (ExprKind::Literal(Literal::Ip(ip)), Vec::new()));
    }
    if shape.dots == 2
        && text
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(why(
            "this looks like a version number",
            format!("versions are strings: write `\"{text}\"`"),
        ));
    }
    classify_quantity(text)
}

/// `a-b` where both sides look like addresses (a hyphen is also legal in
/// sizes like nothing, so only address-shaped halves make a range).
fn split_range(text: &str) -> Option<(&str, &str)> {
    let (a, b) = text.split_once('-')?;
    let addr_like = |s: &str| s.contains(':') || s.contains('.');
    (addr_like(a) || addr_like(b)).then_some((a, b))
}

fn parse_ip(text: &str) -> Result<IpAddr, Why> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(ip);
    }
    if text.contains(':') {
        let help = if text.matches("::").count() > 1 {
            "`::` may appear only once in an IPv6 address"
        } else {
            "an IPv6 address has up to eight groups of 1-4 hex digits, `::` once for a run of zeros"
        };
        return Err(why(format!("`{text}` is not an IPv6 address"), help));
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return Err(why(
            format!(
                "`{text}` is not an IPv4 address: it has {} parts, not 4",
                parts.len()
            ),
            "an IPv4 address is four numbers 0-255 separated by dots",
        ));
    }
    for p in &parts {
        match p.parse::<u32>() {
            Ok(n) if n > 255 => {
                return Err(why(
                    format!("`{text}` is not an IPv4 address: {n} is above 255"),
                    "each of the four parts is 0-255",
                ))
            }
            Err(_) => {
                return Err(why(
                    format!("`{text}` is not an IPv4 address: `{p}` is not a number"),
                    "each of the four parts is 0-255",
                ))
            }
            _ => {}
        }
    }
    Err(why(
        format!("`{text}` is not an IPv4 address"),
        "write it without leading zeros, e.g. `10.1.1.5`",
    ))
}

fn classify_cidr(text: &str, addr: &str, prefix: &str, span: Span) -> Classified {
    let ip = parse_ip(addr)?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len: u8 = match prefix.parse::<u8>() {
        Ok(n) if n <= max => n,
        _ => {
            return Err(why(
                format!(
                    "`/{prefix}` is not a prefix length for {}",
                    if ip.is_ipv4() { "IPv4" } else { "IPv6" }
                ),
                format!("the prefix length is 0-{max}"),
            ))
        }
    };
    let net = Cidr::new(ip, len)
        .map_err(|_| why("invalid prefix", format!("the prefix length is 0-{max}")))?;
    let mut extra = Vec::new();
    if net.trunc() != net {
        let canonical = net.trunc();
        extra.push(
            Diagnostic::new(&codes::CIDR_HOST_BITS, span, format!("`{text}` has host bits set"))
                .label(format!("the network of this address is `{canonical}`"))
                .help(format!("write the network address: `{canonical}`; a host address belongs in `ip`, not in a CIDR")),
        );
    }
    Ok((ExprKind::Literal(Literal::Cidr(net.trunc())), extra))
}

fn is_mac_shaped(text: &str) -> bool {
    // Six two-character parts and five colons are 17 bytes: most literals
    // are decided by their length, without splitting.
    text.len() == 17
        && text.split(':').count() == 6
        && text.split(':').all(|p| p.len() == 2)
        && !text.contains("::")
}

fn parse_mac(text: &str) -> Result<Mac, Why> {
    let mut bytes = [0u8; 6];
    for (b, p) in bytes.iter_mut().zip(text.split(':')) {
        *b = u8::from_str_radix(p, 16).map_err(|_| {
            why(
                format!("`{p}` is not a hex byte"),
                "a MAC address is six pairs of hex digits, `aa:bb:cc:dd:ee:ff`",
            )
        })?;
    }
    Ok(Mac(bytes))
}

const SIZE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("PB", 1_000_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("PiB", 1 << 50),
];
const DURATION_UNITS: &[(&str, u64)] = &[("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)];

/// A number with a unit: a size or a duration. Fractions are allowed when
/// the result is whole (`1.5GiB`, `1.5h`).
fn classify_quantity(text: &str) -> Classified {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let Some((base, is_size)) = SIZE_UNITS
        .iter()
        .map(|&(u, b)| (u, b, true))
        .chain(DURATION_UNITS.iter().map(|&(u, b)| (u, b, false)))
        .find(|(u, _, _)| *u == unit)
        .map(|(_, b, s)| (b, s))
    else {
        let suggestion = crate::diag::did_you_mean(
            unit,
            SIZE_UNITS.iter().chain(DURATION_UNITS).map(|(u, _)| *u),
        );
        return Err(why(
            format!("`{unit}` is not a unit"),
            suggestion.unwrap_or_else(|| {
                "sizes end in B, KB, MB, GB, TB, KiB, MiB, GiB, TiB; durations in s, m, h, d"
                    .to_string()
            }),
        ));
    };
    let value = scale(num, base).ok_or_else(|| {
        why(
            format!(
                "`{num}` {unit} is not a whole number of {}",
                if is_size { "bytes" } else { "seconds" }
            ),
            "use a smaller unit",
        )
    })?;
    let l = if is_size {
        Literal::Size(Size(value))
    } else {
        Literal::Duration(Duration(value))
    };
    Ok((ExprKind::Literal(l), Vec::new()))
}

/// `num × base` exactly, for a decimal `num` like `1.5`; `None` when not whole or too big.
fn scale(num: &str, base: u64) -> Option<u64> {
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() || frac.contains('.') || frac.len() > 9 {
        return None;
    }
    let denom = 10u128.pow(frac.len() as u32);
    // The digits of `int` and `frac` read as one number (both are digits
    // only: `num` is digits and dots, split at its only dot).
    let digits = int.bytes().chain(frac.bytes()).try_fold(0u128, |n, b| {
        n.checked_mul(10)?
            .checked_add(u128::from(b.checked_sub(b'0')?))
    })?;
    let total = digits.checked_mul(u128::from(base))?;
    (total % denom == 0)
        .then(|| u64::try_from(total / denom).ok())
        .flatten()
}

/// An `Ipv4Addr` helper for tests and stdlib code.
pub fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn ok(text: &str) -> ExprKind {
        let (k, d) = classify(text, Span::default());
        assert!(d.is_empty(), "{text}: {d:?}");
        k
    }

    fn bad(text: &str) -> String {
        let (k, d) = classify(text, Span::default());
        assert_eq!(k, ExprKind::Invalid, "{text}");
        assert_eq!(d[0].code.code, "E0102");
        d[0].primary.message.clone()
    }

    #[test]
    fn valid_literals() {
        assert_eq!(ok("42"), ExprKind::Int(42));
        assert_eq!(
            ok("10.1.1.11"),
            ExprKind::Literal(Literal::Ip(v4(10, 1, 1, 11)))
        );
        assert_eq!(ok("8GiB"), ExprKind::Literal(Literal::Size(Size(8 << 30))));
        assert_eq!(
            ok("100GB"),
            ExprKind::Literal(Literal::Size(Size(100_000_000_000)))
        );
        assert_eq!(
            ok("1.5GiB"),
            ExprKind::Literal(Literal::Size(Size(3 << 29)))
        );
        assert_eq!(
            ok("2h"),
            ExprKind::Literal(Literal::Duration(Duration(7200)))
        );
        assert!(matches!(
            ok("fd00:10::1"),
            ExprKind::Literal(Literal::Ip(_))
        ));
        assert!(matches!(
            ok("fd00:10::/64"),
            ExprKind::Literal(Literal::Cidr(_))
        ));
        assert!(matches!(
            ok("aa:bb:cc:00:00:01"),
            ExprKind::Literal(Literal::Mac(_))
        ));
        assert!(matches!(
            ok("10.1.1.100-10.1.1.150"),
            ExprKind::Literal(Literal::Range(_))
        ));
        assert!(matches!(
            ok("10.1.1.0/31"),
            ExprKind::Literal(Literal::Cidr(_))
        ));
    }

    #[test]
    fn malformed_literals_say_why() {
        assert!(bad("10.1.1.300").contains("300 is above 255"));
        assert!(bad("10.0.0.0/33").contains("/33"));
        assert!(bad("8XB").contains("`XB` is not a unit"));
        assert!(bad("fd00::1::2").contains("IPv6"));
        assert!(bad("1.31.0").contains("version"));
        assert!(bad("10.1.1.150-10.1.1.100").contains("ends before"));
        assert!(bad("99999999999999999999999").contains("64 bits"));
        assert!(bad("0.5B").contains("whole"));
    }

    #[test]
    fn host_bits_are_e0103_with_the_canonical_network() {
        let (_, d) = classify("10.1.1.5/24", Span::default());
        assert_eq!(d[0].code.code, "E0103");
        assert!(d[0].help.as_deref().unwrap_or("").contains("10.1.1.0/24"));
    }
}
