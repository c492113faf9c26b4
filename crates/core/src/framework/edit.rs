//! Edits of a draft framework's tree, addressed by node code: replace a node, add one under a
//! parent, remove a subtree, move up/down among siblings or under another parent. Pure
//! functions; the browser editor (crates/web/src/pages/framework_edit.rs) stores the result.

use super::{Framework, Node};
use crate::Msg;

/// Indices from the roots down to the node with `code`.
pub fn path_of(fw: &Framework, code: &str) -> Option<Vec<usize>> {
    fn go(nodes: &[Node], code: &str, path: &mut Vec<usize>) -> bool {
        for (i, n) in nodes.iter().enumerate() {
            path.push(i);
            if n.code == code || go(&n.children, code, path) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    go(&fw.nodes, code, &mut path).then_some(path)
}

fn siblings_mut<'a>(fw: &'a mut Framework, parent_path: &[usize]) -> &'a mut Vec<Node> {
    let mut list = &mut fw.nodes;
    for i in parent_path {
        list = &mut list[*i].children;
    }
    list
}

/// The node with `code`, to change in place.
pub fn node_mut<'a>(fw: &'a mut Framework, code: &str) -> Option<&'a mut Node> {
    let path = path_of(fw, code)?;
    let (last, parent) = path.split_last()?;
    siblings_mut(fw, parent).get_mut(*last)
}

/// The code of the node's parent ("" for a domain).
pub fn parent_of(fw: &Framework, code: &str) -> Option<String> {
    let path = path_of(fw, code)?;
    let mut list = &fw.nodes;
    let mut parent = String::new();
    for i in &path[..path.len() - 1] {
        parent = list[*i].code.clone();
        list = &list[*i].children;
    }
    Some(parent)
}

/// Remove a node with its whole subtree; returns it.
pub fn remove(fw: &mut Framework, code: &str) -> Option<Node> {
    let path = path_of(fw, code)?;
    let (last, parent) = path.split_last()?;
    Some(siblings_mut(fw, parent).remove(*last))
}

fn not_found(code: &str) -> Msg {
    Msg::new(format!("Không có tiêu chí mã “{code}”."), format!("There is no node “{code}”."))
}

/// Add `node` as the last child of `parent` (a domain when `parent` is empty).
pub fn add(fw: &mut Framework, parent: &str, node: Node) -> Result<(), Msg> {
    if parent.is_empty() {
        fw.nodes.push(node);
        return Ok(());
    }
    let p = node_mut(fw, parent).ok_or_else(|| not_found(parent))?;
    // a leaf that gets children becomes a parent: its rule and maximum go to the new child
    // only if the child has none; the parent keeps no rule
    p.rule = None;
    p.max = None;
    p.children.push(node);
    Ok(())
}

/// Move a node one place up (`up`) or down among its siblings. False at the end of the list.
pub fn move_sibling(fw: &mut Framework, code: &str, up: bool) -> bool {
    let Some(path) = path_of(fw, code) else { return false };
    let (last, parent) = path.split_last().expect("non-empty path");
    let list = siblings_mut(fw, parent);
    let to = if up { last.checked_sub(1) } else { Some(last + 1).filter(|t| *t < list.len()) };
    match to {
        Some(t) => {
            list.swap(*last, t);
            true
        }
        None => false,
    }
}

/// Put a node (with its subtree) under another parent, as its last child ("" = a domain).
pub fn set_parent(fw: &mut Framework, code: &str, parent: &str) -> Result<(), Msg> {
    if parent_of(fw, code).ok_or_else(|| not_found(code))? == parent {
        return Ok(());
    }
    if !parent.is_empty() {
        let node_path = path_of(fw, code).ok_or_else(|| not_found(code))?;
        let parent_path = path_of(fw, parent).ok_or_else(|| not_found(parent))?;
        if parent_path.starts_with(&node_path) {
            return Err(Msg::new(
                format!("Không thể đặt “{code}” vào trong chính nó hoặc tiêu chí con của nó (“{parent}”)."),
                format!("“{code}” cannot go inside itself or one of its own children (“{parent}”)."),
            ));
        }
    }
    let node = remove(fw, code).ok_or_else(|| not_found(code))?;
    add(fw, parent, node)
}

/// Give a node and its whole subtree to another appraising agency (per-period assignments):
/// the node names it, the nodes below name nobody (so they inherit it).
pub fn assign_appraiser(fw: &mut Framework, code: &str, appraiser: &str) -> bool {
    fn clear(n: &mut Node) {
        for c in &mut n.children {
            c.appraiser = None;
            clear(c);
        }
    }
    match node_mut(fw, code) {
        Some(n) => {
            n.appraiser = Some(appraiser.to_string());
            clear(n);
            true
        }
        None => false,
    }
}

/// How many nodes a subtree holds (the node included).
pub fn subtree_size(n: &Node) -> usize {
    1 + n.children.iter().map(subtree_size).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(code: &str) -> Node {
        Node { code: code.into(), title: code.into(), ..Default::default() }
    }

    fn fw() -> Framework {
        let mut a = leaf("1");
        a.children = vec![leaf("1.1"), leaf("1.2"), leaf("1.3")];
        let mut b = leaf("2");
        b.children = vec![leaf("2.1")];
        Framework { code: "F".into(), nodes: vec![a, b], ..Default::default() }
    }

    fn codes(fw: &Framework) -> Vec<String> {
        fw.walk().into_iter().map(|(d, n)| format!("{}{}", " ".repeat(d), n.code)).collect()
    }

    #[test]
    fn moves_adds_and_removes() {
        let mut f = fw();
        assert!(move_sibling(&mut f, "1.2", true));
        assert!(!move_sibling(&mut f, "1.2", true), "already first");
        assert!(move_sibling(&mut f, "1", false));
        assert_eq!(codes(&f), ["2", " 2.1", "1", " 1.2", " 1.1", " 1.3"]);
        set_parent(&mut f, "1.3", "2").unwrap();
        set_parent(&mut f, "2.1", "").unwrap();
        assert_eq!(codes(&f), ["2", " 1.3", "1", " 1.2", " 1.1", "2.1"]);
        assert!(set_parent(&mut f, "1", "1.2").unwrap_err().en.contains("inside itself"));
        add(&mut f, "1.1", leaf("1.1.1")).unwrap();
        assert_eq!(parent_of(&f, "1.1.1").unwrap(), "1.1");
        assert_eq!(subtree_size(remove(&mut f, "1").as_ref().unwrap()), 4);
        assert_eq!(codes(&f), ["2", " 1.3", "2.1"]);
        assert!(add(&mut f, "9", leaf("x")).is_err());
    }
}
