//! Which workflow files reach, through reusable-workflow calls within the
//! repository, a job with some property. Computed once as a fixed point, so
//! that deep or wide call chains (even hostile ones) cost linear time.

use super::calls::{CallGraph, Callee};

/// For each workflow file (index into `Repository::workflows`): whether it
/// has a job for which `direct(file)` holds, or calls a file that reaches
/// one. A call that cannot be followed offline (another repository, a
/// missing file) counts as reaching when `unresolved_reaches` is set.
pub fn files_reaching(
    graph: &CallGraph,
    file_count: usize,
    direct: impl Fn(usize) -> bool,
    unresolved_reaches: bool,
) -> Vec<bool> {
    let mut reach: Vec<bool> = (0..file_count).map(direct).collect();
    loop {
        let mut changed = false;
        for call in &graph.calls {
            let hit = match call.callee {
                Callee::Local(target) => reach.get(target).copied().unwrap_or(false),
                Callee::Missing(_) | Callee::Remote(_) => unresolved_reaches,
            };
            if let Some(caller) = reach.get_mut(call.caller)
                && hit
                && !*caller
            {
                *caller = true;
                changed = true;
            }
        }
        if !changed {
            return reach;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::calls::Call;
    use crate::source::Span;

    fn call(caller: usize, callee: Callee) -> Call {
        Call {
            caller,
            job: 0,
            callee,
            span: Span::default(),
        }
    }

    #[test]
    fn chains_and_cycles() {
        let graph = CallGraph {
            calls: vec![
                call(0, Callee::Local(1)),
                call(1, Callee::Local(2)),
                call(3, Callee::Local(4)),
                call(4, Callee::Local(3)),
                call(5, Callee::Remote("o/r/.github/workflows/x.yml@v1".into())),
            ],
            cycles: vec![3],
        };
        let reach = files_reaching(&graph, 6, |f| f == 2, false);
        assert_eq!(reach, vec![true, true, true, false, false, false]);
        let reach = files_reaching(&graph, 6, |f| f == 2, true);
        assert!(reach[5]);
    }
}
