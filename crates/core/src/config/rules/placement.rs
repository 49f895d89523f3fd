//! Affinity terms (KS122): the grammar the API server checks, with the field of each problem.

use super::*;

/// The rules the API server applies to an affinity (`ValidateAffinity`), so `validate` refuses
/// what `kubectl apply` would: operators and their values, weights, topology keys.
pub(super) fn affinity(p: &mut Problems, at: &str, affinity: &Affinity) {
    if let Some(node) = &affinity.node_affinity {
        let at = join_key(at, "nodeAffinity");
        if let Some(required) = &node.required_during_scheduling_ignored_during_execution {
            let at = join_key(&at, "requiredDuringSchedulingIgnoredDuringExecution");
            if required.node_selector_terms.is_empty() {
                p.add(
                    Code::Placement,
                    join_key(&at, "nodeSelectorTerms"),
                    "a required node affinity needs at least one term",
                    "add a term with matchExpressions, or remove requiredDuringSchedulingIgnoredDuringExecution",
                );
            }
            for (i, term) in required.node_selector_terms.iter().enumerate() {
                node_term(p, &join_index(&join_key(&at, "nodeSelectorTerms"), i), term);
            }
        }
        if let Some(preferred) = &node.preferred_during_scheduling_ignored_during_execution {
            let at = join_key(&at, "preferredDuringSchedulingIgnoredDuringExecution");
            for (i, term) in preferred.iter().enumerate() {
                let at = join_index(&at, i);
                weight(p, &at, term.weight);
                node_term(p, &join_key(&at, "preference"), &term.preference);
            }
        }
    }
    let pod_terms = [
        (
            "podAffinity",
            affinity.pod_affinity.as_ref().map(|a| {
                (
                    &a.required_during_scheduling_ignored_during_execution,
                    &a.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
        (
            "podAntiAffinity",
            affinity.pod_anti_affinity.as_ref().map(|a| {
                (
                    &a.required_during_scheduling_ignored_during_execution,
                    &a.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
    ];
    for (kind, terms) in pod_terms {
        let Some((required, preferred)) = terms else {
            continue;
        };
        let at = join_key(at, kind);
        for (i, term) in required.iter().flatten().enumerate() {
            let at = join_index(
                &join_key(&at, "requiredDuringSchedulingIgnoredDuringExecution"),
                i,
            );
            pod_term(p, &at, term);
        }
        for (i, term) in preferred.iter().flatten().enumerate() {
            let at = join_index(
                &join_key(&at, "preferredDuringSchedulingIgnoredDuringExecution"),
                i,
            );
            weight(p, &at, term.weight);
            pod_term(
                p,
                &join_key(&at, "podAffinityTerm"),
                &term.pod_affinity_term,
            );
        }
    }
}

fn weight(p: &mut Problems, at: &str, weight: i32) {
    if !(1..=100).contains(&weight) {
        p.add(
            Code::Placement,
            join_key(at, "weight"),
            format!("weight {weight} is out of range"),
            "use a weight from 1 to 100",
        );
    }
}

fn node_term(p: &mut Problems, at: &str, term: &NodeSelectorTerm) {
    for (i, r) in term.match_expressions.iter().flatten().enumerate() {
        let at = join_index(&join_key(at, "matchExpressions"), i);
        p.rule(
            Code::Placement,
            join_key(&at, "key"),
            &r.key,
            syntax::qualified_name,
            "node label keys are [prefix/]name",
        );
        requirement(p, &at, &r.operator, r.values.as_deref(), NODE_OPERATORS);
    }
    for (i, r) in term.match_fields.iter().flatten().enumerate() {
        let at = join_index(&join_key(at, "matchFields"), i);
        if r.key != "metadata.name" {
            p.add(
                Code::Placement,
                join_key(&at, "key"),
                format!("{:?} is not a node field a selector can match", r.key),
                "use key metadata.name, or matchExpressions for node labels",
            );
        }
        requirement(p, &at, &r.operator, r.values.as_deref(), &["In", "NotIn"]);
    }
}

fn pod_term(p: &mut Problems, at: &str, term: &PodAffinityTerm) {
    p.rule(
        Code::Placement,
        join_key(at, "topologyKey"),
        &term.topology_key,
        syntax::qualified_name,
        "name the node label that groups nodes, such as kubernetes.io/hostname or topology.kubernetes.io/zone",
    );
    for (selector, name) in [
        (&term.label_selector, "labelSelector"),
        (&term.namespace_selector, "namespaceSelector"),
    ] {
        for (i, r) in selector
            .iter()
            .flat_map(|s| s.match_expressions.iter().flatten())
            .enumerate()
        {
            let at = join_index(&join_key(&join_key(at, name), "matchExpressions"), i);
            requirement(p, &at, &r.operator, r.values.as_deref(), LABEL_OPERATORS);
        }
    }
}

/// The operators of a node selector requirement.
const NODE_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];

/// The operators of a label selector requirement.
const LABEL_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist"];

/// An operator from `allowed` with the values it takes: some for `In`/`NotIn`, none for
/// `Exists`/`DoesNotExist`, one whole number for `Gt`/`Lt`.
fn requirement(
    p: &mut Problems,
    at: &str,
    operator: &str,
    values: Option<&[String]>,
    allowed: &[&str],
) {
    if !allowed.contains(&operator) {
        p.add(
            Code::Placement,
            join_key(at, "operator"),
            format!("{operator:?} is not an operator here"),
            format!("use one of {}", allowed.join(", ")),
        );
        return;
    }
    let values = values.unwrap_or_default();
    let (fits, help) = match operator {
        "In" | "NotIn" => (!values.is_empty(), "list at least one value"),
        "Exists" | "DoesNotExist" => (values.is_empty(), "remove values: this operator takes none"),
        _ => (
            values.len() == 1 && values[0].parse::<i64>().is_ok(),
            "give exactly one value, a whole number",
        ),
    };
    if !fits {
        p.add(
            Code::Placement,
            join_key(at, "values"),
            format!("the values do not fit operator {operator}"),
            help,
        );
    }
}
