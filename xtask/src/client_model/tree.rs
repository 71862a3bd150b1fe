//! The navigation tree: where each operation hangs (its node and the starting method's wanted
//! name), every prefix of those places as a node with its type name, fields and navigation
//! methods, and each path's steps with their field names settled.

use super::{Child, Node, PathParam, Step};
use crate::model::{HttpMethod, Operation, PathTemplate, Segment};
use crate::names::{Case, STD_METHODS, Scope, ident};
use crate::runtime_api::{BUILDER_NAMES, CLIENT_METHODS};
use std::collections::{BTreeMap, BTreeSet};

/// A path's steps, with the parameters' field names settled: unique along the path, and
/// never a name the builders use for their own fields and methods (a parameter `{body}`).
pub(super) fn steps(path: &[Segment]) -> Vec<Step> {
    let mut scope = Scope::with_taken(BUILDER_NAMES.iter().copied());
    path.iter()
        .map(|s| match s {
            Segment::Literal(l) => Step::Literal(l.clone()),
            Segment::Parameter(p) => Step::Parameter(PathParam {
                wire: p.clone(),
                field: scope.unique(p, Case::Snake),
            }),
        })
        .collect()
}

/// Where an operation hangs: its node's path and the starting method's wanted name. GET,
/// PATCH, PUT and DELETE hang on their own path; a POST to a path that nothing else extends is
/// an action, named after its last segment, on the parent path.
pub(super) fn placement(
    op: &Operation,
    path: &[Segment],
    extended: &BTreeSet<&[Segment]>,
) -> (usize, String) {
    match (op.method, path.last()) {
        (HttpMethod::Post, Some(last @ Segment::Literal(_))) if !extended.contains(path) => {
            (path.len() - 1, last.name().to_owned())
        }
        (method, _) => (path.len(), method.key().to_owned()),
    }
}

/// The type name a node would like (`UsersItemPresenceResource`): its segments' names, a
/// parameter as `Item`, and `Resource` (not `…RequestBuilder`, which would read like the
/// runtime's `RequestBuilder` trait that the `…Request` types implement).
fn wanted_node_type_name(path: &[Segment]) -> String {
    let mut name: String = path
        .iter()
        .map(|s| match s {
            Segment::Literal(_) => ident(s.name(), Case::Pascal),
            Segment::Parameter(_) => "Item".to_owned(),
        })
        .collect();
    name.push_str("Resource");
    name
}

/// The navigation tree while it is settled: every prefix of every placement, in path order.
pub(super) struct Tree<'a> {
    paths: Vec<&'a [Segment]>,
    pub index: BTreeMap<&'a [Segment], usize>,
    /// Each node's method names (navigation first, then operations).
    pub scopes: Vec<Scope>,
}

impl<'a> Tree<'a> {
    pub fn new(placements: &[(&'a [Segment], String)]) -> Self {
        let mut set = BTreeSet::new();
        for (path, _) in placements {
            set.extend((0..=path.len()).map(|n| &path[..n]));
        }
        let paths: Vec<&[Segment]> = set.into_iter().collect();
        let index = paths.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let scopes = paths
            .iter()
            .map(|p| match p.is_empty() {
                true => Scope::with_taken(CLIENT_METHODS.iter().chain(STD_METHODS).copied()),
                false => Scope::with_taken(STD_METHODS.iter().copied()),
            })
            .collect();
        Tree {
            paths,
            index,
            scopes,
        }
    }

    /// The nodes with their type names, fields and navigation methods.
    pub fn nodes(&mut self, types: &mut Scope) -> Vec<Node> {
        let mut nodes: Vec<Node> = self
            .paths
            .iter()
            .map(|path| Node {
                type_name: (!path.is_empty())
                    .then(|| types.unique(&wanted_node_type_name(path), Case::Pascal)),
                path: PathTemplate::of(path),
                fields: steps(path)
                    .into_iter()
                    .filter_map(|s| match s {
                        Step::Parameter(p) => Some(p.field),
                        Step::Literal(_) => None,
                    })
                    .collect(),
                parent: None,
                children: Vec::new(),
                operations: Vec::new(),
            })
            .collect();
        let parents: Vec<usize> = self
            .paths
            .iter()
            .skip(1)
            .map(|path| self.index[&path[..path.len() - 1]])
            .collect();
        let mut parameter_children = vec![0; nodes.len()];
        for (path, parent) in self.paths.iter().skip(1).zip(&parents) {
            if path.last().is_some_and(Segment::is_parameter) {
                parameter_children[*parent] += 1;
            }
        }
        for (i, parent) in (1..).zip(parents) {
            let child = self.child(parent, i, parameter_children[parent] > 1);
            nodes[i].parent = Some(parent);
            nodes[parent].children.push(child);
        }
        nodes
    }

    /// The method from `parent` to node `i`: a literal's name, or `by_id` (`by_{name}` when
    /// the parent has more than one parameter child).
    fn child(&mut self, parent: usize, i: usize, named_by_parameter: bool) -> Child {
        let path = self.paths[i];
        let (raw, parameter, doc) = match (path.last(), steps(path).pop()) {
            (_, Some(Step::Parameter(p))) => (
                if named_by_parameter {
                    format!("by_{}", p.wire)
                } else {
                    "by_id".to_owned()
                },
                Some(p.clone()),
                format!(
                    "`/{{{}}}`: the item with this id (percent-encoded as exactly one path segment).",
                    p.wire
                ),
            ),
            (Some(last), _) => (
                last.name().to_owned(),
                None,
                format!("`{}`", PathTemplate::of(path)),
            ),
            (None, _) => (String::new(), None, String::new()),
        };
        Child {
            method: self.scopes[parent].unique(&raw, Case::Snake),
            node: i,
            parameter,
            doc,
        }
    }
}

/// The navigation methods from the client to node `target`.
pub fn navigation(nodes: &[Node], target: usize) -> Vec<&Child> {
    let mut chain = Vec::new();
    let mut at = target;
    while let Some(parent) = nodes[at].parent {
        chain.extend(nodes[parent].children.iter().find(|c| c.node == at));
        at = parent;
    }
    chain.reverse();
    chain
}
