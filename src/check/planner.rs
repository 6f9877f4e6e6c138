//! The address planner: every address and range of the stack as intervals
//! over one number line per family, compared as ranges (never rounded to
//! CIDRs — MetalLB once shipped that bug and reverted it). Sort-based:
//! O(n log n) in the number of intervals.

use crate::ir::value::{ip_to_u128, IpRange};
use crate::span::Span;
use std::net::IpAddr;

/// What an interval is, for deciding which rule a conflict breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A node's address (index into `ir.nodes`).
    Node(u32),
    Gateway(u32),
    Dhcp(u32),
    /// A MetalLB pool (addon index, pool index).
    Pool(u32, u32),
    /// A whole CIDR: a network, the pod or service CIDR, a tunnel.
    Cidr(u32),
}

/// One interval and who owns it.
#[derive(Debug, Clone)]
pub struct Interval {
    pub v6: bool,
    pub start: u128,
    pub end: u128,
    pub kind: Kind,
    /// "`cp-2` (node "cp", 2 of 3)", "the DHCP range of `k8s`", …
    pub owner: String,
    pub span: Span,
}

impl Interval {
    pub fn point(ip: IpAddr, kind: Kind, owner: String, span: Span) -> Self {
        let x = ip_to_u128(ip);
        Interval {
            v6: ip.is_ipv6(),
            start: x,
            end: x,
            kind,
            owner,
            span,
        }
    }

    pub fn range(r: IpRange, kind: Kind, owner: String, span: Span) -> Self {
        Interval {
            v6: r.start.is_ipv6(),
            start: ip_to_u128(r.start),
            end: ip_to_u128(r.end),
            kind,
            owner,
            span,
        }
    }

    pub fn cidr(c: crate::ir::value::Cidr, kind: Kind, owner: String, span: Span) -> Self {
        let r = IpRange {
            start: c.network(),
            end: c.broadcast(),
        };
        Self::range(r, kind, owner, span)
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.v6 == other.v6 && self.start <= other.end && other.start <= self.end
    }
}

#[derive(Debug, Default)]
pub struct Planner {
    pub intervals: Vec<Interval>,
}

impl Planner {
    pub fn add(&mut self, i: Interval) {
        self.intervals.push(i);
    }

    /// Every overlapping pair, each once, the earlier (in address order)
    /// first. A sweep over intervals sorted by start keeps the set of ranges
    /// still open: O(n log n + k) for k overlapping pairs, so distinct node
    /// addresses cost nothing beyond the sort.
    pub fn conflicts(&self) -> Vec<(usize, usize)> {
        // Keys sorted beside their indices (no lookups from the comparator);
        // the kind makes every key distinct, so an unstable sort is exact.
        let mut order: Vec<_> = (self.intervals.iter().enumerate())
            .map(|(i, iv)| ((iv.v6, iv.start, std::cmp::Reverse(iv.end), iv.kind), i))
            .collect();
        order.sort_unstable();
        let mut out = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        for &(_, i) in &order {
            let cur = &self.intervals[i];
            open.retain(|&o| self.intervals[o].overlaps(cur));
            out.extend(open.iter().map(|&o| (o, i)));
            open.push(i);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn iv(start: u128, end: u128, n: u32) -> Interval {
        Interval {
            v6: false,
            start,
            end,
            kind: Kind::Node(n),
            owner: format!("o{n}"),
            span: Span::default(),
        }
    }

    #[test]
    fn touching_ranges_do_not_overlap() {
        let p = Planner {
            intervals: vec![iv(0, 9, 0), iv(10, 19, 1)],
        };
        assert!(p.conflicts().is_empty());
    }

    #[test]
    fn nested_and_equal_ranges_overlap() {
        let p = Planner {
            intervals: vec![iv(0, 100, 0), iv(50, 50, 1), iv(50, 50, 2)],
        };
        assert_eq!(p.conflicts().len(), 3);
    }

    #[test]
    fn families_never_overlap() {
        let mut a = iv(5, 5, 0);
        a.v6 = true;
        let p = Planner {
            intervals: vec![a, iv(5, 5, 1)],
        };
        assert!(p.conflicts().is_empty());
    }

    proptest! {
        /// Against a brute-force oracle: exactly the overlapping pairs.
        #[test]
        fn matches_the_brute_force_oracle(raw in prop::collection::vec((0u128..64, 0u128..8, any::<bool>()), 0..24)) {
            let intervals: Vec<Interval> = raw.iter().enumerate().map(|(n, (s, len, v6))| {
                let mut i = iv(*s, s + len, n as u32);
                i.v6 = *v6;
                i
            }).collect();
            let p = Planner { intervals: intervals.clone() };
            let mut found: Vec<(usize, usize)> = p.conflicts().into_iter().map(|(a, b)| (a.min(b), a.max(b))).collect();
            found.sort();
            let mut oracle = Vec::new();
            for i in 0..intervals.len() {
                for j in i + 1..intervals.len() {
                    if intervals[i].v6 == intervals[j].v6 && intervals[i].start <= intervals[j].end && intervals[j].start <= intervals[i].end {
                        oracle.push((i, j));
                    }
                }
            }
            prop_assert_eq!(found, oracle);
        }
    }
}
