//! Plain manifests: one multi-document YAML stream, or one file per object numbered in apply
//! order (`kubectl apply -f DIR` applies files in name order, so the Namespace comes first).

use super::FileTree;
use crate::k8s::Manifest;
use crate::yaml;

/// The manifests as one multi-document YAML stream.
pub fn stream(manifests: &[Manifest]) -> String {
    let docs: Vec<String> = manifests.iter().map(|m| yaml::to_yaml(&m.value)).collect();
    yaml::stream(docs.iter().map(String::as_str))
}

/// The manifests as files `NN-kind.yaml`, numbered by their place in the fixed order.
pub fn tree(manifests: &[Manifest]) -> FileTree {
    let mut tree = FileTree::default();
    for m in manifests {
        let rank = crate::k8s::kind_rank(m.kind);
        let file = format!("{rank:02}-{}.yaml", m.kind.to_ascii_lowercase());
        tree.add(
            file,
            yaml::to_yaml(&m.value),
            m.kind == crate::k8s::SECRET_KIND,
        );
    }
    tree
}
