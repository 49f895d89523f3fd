//! YAML text of objects, the one serializer every output form uses so they agree byte for byte.

use serde::Serialize;

/// Long single-line strings stay plain scalars (greppable, diffable); multi-line strings use `|`.
fn options() -> serde_saphyr::SerializerOptions {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.folded_wrap_chars = 1 << 20;
    options
}

/// Block-style YAML of `value`, ending with a newline.
pub fn to_yaml<T: Serialize>(value: &T) -> String {
    let mut text = serde_saphyr::to_string_with_options(value, options())
        .expect("objects built by this tool serialize to YAML");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Several documents as one multi-document stream, each introduced by `---`.
pub fn stream<'a>(documents: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for doc in documents {
        out.push_str("---\n");
        out.push_str(doc);
    }
    out
}
