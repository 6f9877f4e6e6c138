//! Showing a cycle: one concrete path through a strongly connected
//! component (from `petgraph::algo::tarjan_scc`), for the import graph
//! (E0205) and the addon order (E0802) alike.

use petgraph::visit::IntoNeighbors;
use std::collections::HashSet;
use std::hash::Hash;

/// A path from the component's smallest node back to itself, following
/// edges inside the component (the smallest unvisited neighbour first, so
/// the path is deterministic).
pub fn cycle_through<G>(g: G, scc: &[G::NodeId]) -> Vec<G::NodeId>
where
    G: IntoNeighbors,
    G::NodeId: Ord + Hash + Copy,
{
    let Some(&start) = scc.iter().min() else {
        return Vec::new();
    };
    let mut path = vec![start];
    let mut seen = HashSet::from([start]);
    let mut cur = start;
    loop {
        let next = g
            .neighbors(cur)
            .filter(|n| scc.contains(n))
            .min_by_key(|n| (*n != start, *n));
        match next {
            Some(n) if n == start || seen.contains(&n) => {
                path.push(n);
                return path;
            }
            Some(n) => {
                seen.insert(n);
                path.push(n);
                cur = n;
            }
            None => {
                path.push(start);
                return path;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cycle_through;
    use petgraph::graphmap::DiGraphMap;

    #[test]
    fn follows_the_component_back_to_its_start() {
        let g: DiGraphMap<u32, ()> = DiGraphMap::from_edges([(3, 1), (1, 2), (2, 3), (2, 9)]);
        assert_eq!(cycle_through(&g, &[1, 2, 3]), [1, 2, 3, 1]);
        let selfloop: DiGraphMap<u32, ()> = DiGraphMap::from_edges([(5, 5)]);
        assert_eq!(cycle_through(&selfloop, &[5]), [5, 5]);
    }
}
