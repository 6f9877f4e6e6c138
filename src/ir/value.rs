//! The typed literal values of the language: what `10.1.1.0/24`, `8GiB`,
//! `90s` or `aa:bb:cc:dd:ee:ff` mean once checked.

use serde::{Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;

pub use ipnet::IpNet as Cidr;

/// An inclusive address range `start-end` of one family, `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRange {
    pub start: IpAddr,
    pub end: IpAddr,
}

impl IpRange {
    pub fn new(start: IpAddr, end: IpAddr) -> Option<Self> {
        (start.is_ipv4() == end.is_ipv4() && start <= end).then_some(IpRange { start, end })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.start <= ip && ip <= self.end
    }

    /// Number of addresses, saturating at `u128::MAX`.
    pub fn len(&self) -> u128 {
        ip_to_u128(self.end) - ip_to_u128(self.start) + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

pub fn ip_to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

/// The address `n` places after `ip` in the same family, if it exists.
pub fn ip_add(ip: IpAddr, n: u128) -> Option<IpAddr> {
    match ip {
        IpAddr::V4(v) => {
            let x = u128::from(u32::from(v)).checked_add(n)?;
            u32::try_from(x).ok().map(|x| IpAddr::V4(x.into()))
        }
        IpAddr::V6(v) => u128::from(v).checked_add(n).map(|x| IpAddr::V6(x.into())),
    }
}

/// The first and last host address of a network, as numbers: all of a /31
/// or /32 (RFC 3021 point-to-point), else without the network address and,
/// for IPv4, the broadcast address.
pub fn host_range(c: Cidr) -> (u128, u128) {
    let (first, last) = (ip_to_u128(c.network()), ip_to_u128(c.broadcast()));
    if c.max_prefix_len() - c.prefix_len() <= 1 {
        (first, last)
    } else {
        (
            first + 1,
            if c.network().is_ipv4() {
                last - 1
            } else {
                last
            },
        )
    }
}

/// A size in bytes. Written with binary (KiB…PiB) or decimal (KB…PB) units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Size(pub u64);

impl Size {
    pub const KIB: u64 = 1 << 10;
    pub const MIB: u64 = 1 << 20;
    pub const GIB: u64 = 1 << 30;

    pub fn bytes(self) -> u64 {
        self.0
    }

    /// `Some(n)` when the size is exactly `n` units of `unit` bytes.
    pub fn whole(self, unit: u64) -> Option<u64> {
        (self.0 % unit == 0).then_some(self.0 / unit)
    }
}

impl fmt::Display for Size {
    /// In the largest binary unit the size reaches: whole when it divides
    /// (`8GiB`), else with two decimals (`1.82TiB` for `2TB`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u64); 5] = [
            ("PiB", 1 << 50),
            ("TiB", 1 << 40),
            ("GiB", 1 << 30),
            ("MiB", 1 << 20),
            ("KiB", 1 << 10),
        ];
        // A whole number in some unit, if it stays short (1536MiB, not 1.50GiB).
        if let Some((name, unit)) = UNITS
            .iter()
            .find(|(_, u)| self.0 >= *u && self.0 % u == 0 && self.0 / u < 10_000)
        {
            return write!(f, "{}{name}", self.0 / unit);
        }
        match UNITS.iter().find(|(_, unit)| self.0 >= *unit) {
            Some((name, unit)) => write!(f, "{:.2}{name}", self.0 as f64 / *unit as f64),
            None => write!(f, "{}B", self.0),
        }
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

/// A duration in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Duration(pub u64);

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        match s {
            _ if s % 86_400 == 0 && s > 0 => write!(f, "{}d", s / 86_400),
            _ if s % 3_600 == 0 && s > 0 => write!(f, "{}h", s / 3_600),
            _ if s % 60 == 0 && s > 0 => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

/// A 48-bit MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 6]);

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

macro_rules! serialize_display {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_display!(IpRange, Mac);
