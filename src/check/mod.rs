//! STAGE 3: the rules over the finished IR. Each check is an independent
//! pass, `fn check(&Ir, &mut Sink)`, listed once in [`CHECKS`]; none stops
//! at the first finding.

mod etcd;
mod size_unit;

use crate::diag::Sink;
use crate::ir::Ir;

pub type Check = fn(&Ir, &mut Sink);

/// Every check, in code order.
pub const CHECKS: &[(&str, Check)] = &[("size_unit", size_unit::check), ("etcd", etcd::check)];

pub fn run_all(ir: &Ir, sink: &mut Sink) {
    for (_, check) in CHECKS {
        check(ir, sink);
    }
}
