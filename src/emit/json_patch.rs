//! RFC 6902 JSON patches from the difference of two objects, for Kustomize overlays. Every
//! `replace` and `remove` is preceded by a `test` of the old value, so a patch applied to a base it
//! was not made for fails loudly instead of editing the wrong list item. Lists of strings (the
//! spark-submit arguments) are diffed item by item, so a patch changes only what differs.

use serde::Serialize;
use serde_json::Value;
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// One patch operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Op {
    /// Fails the patch unless `path` holds `value`.
    Test {
        /// JSON pointer.
        path: String,
        /// Expected value.
        value: Value,
    },
    /// Replaces the value at `path`.
    Replace {
        /// JSON pointer.
        path: String,
        /// New value.
        value: Value,
    },
    /// Adds a value at `path` (inserting into lists).
    Add {
        /// JSON pointer.
        path: String,
        /// New value.
        value: Value,
    },
    /// Removes the value at `path`.
    Remove {
        /// JSON pointer.
        path: String,
    },
}

/// Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`).
fn segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The operations turning `old` into `new`.
pub fn diff(old: &Value, new: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    diff_at("", old, new, &mut ops);
    ops
}

fn replace(path: &str, old: &Value, new: &Value, ops: &mut Vec<Op>) {
    ops.push(Op::Test {
        path: path.to_owned(),
        value: old.clone(),
    });
    ops.push(Op::Replace {
        path: path.to_owned(),
        value: new.clone(),
    });
}

fn diff_at(path: &str, old: &Value, new: &Value, ops: &mut Vec<Op>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let p = format!("{path}/{}", segment(key));
                match b.get(key) {
                    Some(other) => diff_at(&p, value, other, ops),
                    None => {
                        ops.push(Op::Test {
                            path: p.clone(),
                            value: value.clone(),
                        });
                        ops.push(Op::Remove { path: p });
                    }
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    ops.push(Op::Add {
                        path: format!("{path}/{}", segment(key)),
                        value: value.clone(),
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.iter().chain(b).all(Value::is_string) => {
            diff_strings(path, a, b, ops)
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_at(&format!("{path}/{i}"), x, y, ops);
            }
        }
        _ => replace(path, old, new, ops),
    }
}

/// Item-by-item changes of a list of strings, applied from the end so indexes stay valid.
fn diff_strings(path: &str, old: &[Value], new: &[Value], ops: &mut Vec<Op>) {
    let text = |list: &[Value]| -> Vec<String> {
        list.iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let changes = capture_diff_slices(Algorithm::Myers, &text(old), &text(new));
    for change in changes.iter().rev() {
        let (old_index, old_len, new_index, new_len) = match *change {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index, old_len, new_index, 0),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index, 0, new_index, new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (old_index, old_len, new_index, new_len),
        };
        let common = old_len.min(new_len);
        for i in 0..common {
            replace(
                &format!("{path}/{}", old_index + i),
                &old[old_index + i],
                &new[new_index + i],
                ops,
            );
        }
        for i in (common..old_len).rev() {
            let p = format!("{path}/{}", old_index + i);
            ops.push(Op::Test {
                path: p.clone(),
                value: old[old_index + i].clone(),
            });
            ops.push(Op::Remove { path: p });
        }
        for i in common..new_len {
            ops.push(Op::Add {
                path: format!("{path}/{}", old_index + i),
                value: new[new_index + i].clone(),
            });
        }
    }
}

/// Applies operations to a value (for tests; Kustomize applies them for real).
pub fn apply(target: &mut Value, ops: &[Op]) -> Result<(), String> {
    fn parent<'a>(target: &'a mut Value, path: &str) -> Result<(&'a mut Value, String), String> {
        let (head, last) = path.rsplit_once('/').ok_or("empty path")?;
        let last = last.replace("~1", "/").replace("~0", "~");
        let node = if head.is_empty() {
            Some(target)
        } else {
            target.pointer_mut(head)
        };
        node.map(|n| (n, last))
            .ok_or_else(|| format!("no parent for {path}"))
    }
    for op in ops {
        match op {
            Op::Test { path, value } => {
                if target.pointer(path) != Some(value) {
                    return Err(format!("test failed at {path}"));
                }
            }
            Op::Replace { path, value } => {
                *target
                    .pointer_mut(path)
                    .ok_or_else(|| format!("no {path}"))? = value.clone();
            }
            Op::Add { path, value } => match parent(target, path)? {
                (Value::Object(map), key) => {
                    map.insert(key, value.clone());
                }
                (Value::Array(list), key) => {
                    let i: usize = key.parse().map_err(|_| format!("bad index in {path}"))?;
                    if i > list.len() {
                        return Err(format!("index out of range at {path}"));
                    }
                    list.insert(i, value.clone());
                }
                _ => return Err(format!("cannot add at {path}")),
            },
            Op::Remove { path } => match parent(target, path)? {
                (Value::Object(map), key) => {
                    map.shift_remove(&key).ok_or_else(|| format!("no {path}"))?;
                }
                (Value::Array(list), key) => {
                    let i: usize = key.parse().map_err(|_| format!("bad index in {path}"))?;
                    if i >= list.len() {
                        return Err(format!("index out of range at {path}"));
                    }
                    list.remove(i);
                }
                _ => return Err(format!("cannot remove at {path}")),
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_turn_old_into_new() {
        let old = json!({"metadata": {"labels": {"a/b": "1", "gone": "x"}},
            "args": ["--master", "m", "--conf", "spark.executor.instances=1", "app.py", "x"],
            "env": [{"name": "A", "value": "1"}]});
        let new = json!({"metadata": {"labels": {"a/b": "2", "new": "y"}},
            "args": ["--master", "m", "--conf", "spark.executor.instances=4", "--conf", "spark.x=1", "app.py"],
            "env": [{"name": "A", "value": "2"}, {"name": "B", "value": "3"}]});
        let ops = diff(&old, &new);
        let mut patched = old.clone();
        apply(&mut patched, &ops).unwrap();
        assert_eq!(patched, new);
        assert!(ops.contains(&Op::Replace {
            path: "/metadata/labels/a~1b".into(),
            value: json!("2")
        }));
        // A patch made for another base fails its tests.
        let mut other = old.clone();
        other["args"][3] = json!("spark.executor.instances=9");
        assert!(apply(&mut other, &ops).is_err());
        assert!(diff(&old, &old).is_empty());
    }
}
