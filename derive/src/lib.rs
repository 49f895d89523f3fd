//! `#[derive(Overridable)]`: the per-environment override type of a spec struct, made from the
//! struct itself so that a field added to the spec is overridable without being written twice
//! (the idea of Stackable operator-rs's `Fragment` derive, cut down to what one config needs).
//!
//! For `struct Spec { a: A, b: Option<B>, m: BTreeMap<K, V>, #[overridable(nested)] s: Sub }` it
//! generates
//!
//! ```text
//! struct SpecOverride { a: Option<A>, b: Option<B>, m: BTreeMap<K, V>, s: Option<SubOverride> }
//! impl SpecOverride { fn apply_to(&self, target: &mut Spec) }
//! ```
//!
//! with one merge rule: maps merge key by key over the base, nested structs apply field by field,
//! everything else (scalars, lists, enums) replaces the base value when set. The override keeps
//! each field's `///` documentation (so the schema describes it), its `#[schemars(...)]` checks
//! and its serde `rename`, and adds a line saying how it combines with the base.
//!
//! Attributes:
//! - on the struct, `#[overridable(name = Ident)]` names the override type (default: `NameOverride`),
//!   and `#[overridable(extra { /// doc \n pub field: Type, ... })]` adds fields that are not the
//!   struct's own (applied by hand, e.g. the environment's namespace, which lives in metadata);
//! - on a field, `#[overridable(nested)]` applies a struct field's own override type
//!   (`TypeOverride`), and `#[overridable(skip)]` leaves the field out (write why next to it).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Data, DeriveInput, Field, Fields, GenericArgument, Ident, LitStr, PathArguments,
    Token, Type, braced, parse_macro_input,
};

/// Derives the override type and its `apply_to`; see the crate documentation.
#[proc_macro_derive(Overridable, attributes(overridable))]
pub fn derive_overridable(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// How one field combines with the base.
enum Merge {
    /// Set: replaces the base value.
    Replace,
    /// `Option<T>` in the spec: a set override replaces it; the override stays `Option<T>`.
    ReplaceOption,
    /// A map: merged key by key over the base.
    Map,
    /// A struct with its own override type, applied field by field.
    Nested(Ident),
}

struct StructOptions {
    name: Option<Ident>,
    extra: Vec<Field>,
}

fn struct_options(attrs: &[Attribute]) -> syn::Result<StructOptions> {
    let mut options = StructOptions {
        name: None,
        extra: Vec::new(),
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("overridable")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                options.name = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("extra") {
                let content;
                braced!(content in meta.input);
                let fields = Punctuated::<Field, Token![,]>::parse_terminated_with(
                    &content,
                    Field::parse_named,
                )?;
                options.extra.extend(fields);
                Ok(())
            } else {
                Err(meta.error("expected `name = Ident` or `extra { fields }`"))
            }
        })?;
    }
    Ok(options)
}

enum FieldOption {
    Skip,
    Nested,
}

fn field_option(field: &Field) -> syn::Result<Option<FieldOption>> {
    let mut option = None;
    for attr in field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("overridable"))
    {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                option = Some(FieldOption::Skip);
                Ok(())
            } else if meta.path.is_ident("nested") {
                option = Some(FieldOption::Nested);
                Ok(())
            } else {
                Err(meta.error("expected `skip` or `nested`"))
            }
        })?;
    }
    Ok(option)
}

/// The last path segment of a type and its generic arguments: `BTreeMap<K, V>` gives
/// (`BTreeMap`, [K, V]).
fn last_segment(ty: &Type) -> Option<(&Ident, Vec<&Type>)> {
    // A type passed through a `macro_rules!` `ty` fragment arrives wrapped in an invisible group.
    if let Type::Group(group) = ty {
        return last_segment(&group.elem);
    }
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let args = match &segment.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((&segment.ident, args))
}

fn merge_of(field: &Field, nested: bool) -> syn::Result<Merge> {
    let segment = last_segment(&field.ty);
    if nested {
        let Some((ident, _)) = segment else {
            return Err(syn::Error::new_spanned(
                &field.ty,
                "`nested` needs a named struct type",
            ));
        };
        return Ok(Merge::Nested(format_ident!("{ident}Override")));
    }
    Ok(match segment {
        Some((ident, _)) if ident == "BTreeMap" || ident == "HashMap" => Merge::Map,
        Some((ident, args)) if ident == "Option" && args.len() == 1 => Merge::ReplaceOption,
        _ => Merge::Replace,
    })
}

/// The field's `#[serde(rename = "...")]`, the only serde setting the override keeps: defaults
/// and skips are the override's own.
fn serde_rename(attrs: &[Attribute]) -> syn::Result<Option<LitStr>> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse()?);
            } else if meta.input.peek(Token![=]) {
                // Other `key = value` settings (default, skip_serializing_if) are not carried.
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        })?;
    }
    Ok(rename)
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "Overridable derives only for structs",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            input,
            "Overridable needs named fields",
        ));
    };
    let options = struct_options(&input.attrs)?;
    let name = &input.ident;
    let vis = &input.vis;
    let override_name = options
        .name
        .clone()
        .unwrap_or_else(|| format_ident!("{name}Override"));
    let type_doc = format!(
        " The per-environment override of `{name}`: every field is optional; maps are merged key \
         by key over the base, nested settings field by field, everything else replaces the base \
         value."
    );

    let mut declarations = Vec::new();
    let mut applications = Vec::new();
    for field in &options.extra {
        declarations.push(quote! { #field });
    }
    for field in &fields.named {
        let option = field_option(field)?;
        if matches!(option, Some(FieldOption::Skip)) {
            continue;
        }
        let merge = merge_of(field, matches!(option, Some(FieldOption::Nested)))?;
        let ident = field.ident.as_ref().expect("named fields");
        let ty = &field.ty;
        let docs = field.attrs.iter().filter(|a| a.path().is_ident("doc"));
        let checks = field.attrs.iter().filter(|a| a.path().is_ident("schemars"));
        let rename = serde_rename(&field.attrs)?.map(|r| quote! { rename = #r, });
        let (how, declared, apply) = match &merge {
            Merge::Replace => (
                " Per environment: replaces the base value.",
                quote! {
                    #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                    pub #ident: Option<#ty>
                },
                quote! {
                    if let Some(value) = &self.#ident {
                        target.#ident.clone_from(value);
                    }
                },
            ),
            Merge::ReplaceOption => (
                " Per environment: replaces the base value.",
                quote! {
                    #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                    pub #ident: #ty
                },
                quote! {
                    if self.#ident.is_some() {
                        target.#ident.clone_from(&self.#ident);
                    }
                },
            ),
            Merge::Map => (
                " Per environment: merged key by key over the base.",
                quote! {
                    #[serde(#rename default, skip_serializing_if = "::std::collections::BTreeMap::is_empty")]
                    pub #ident: #ty
                },
                quote! {
                    target
                        .#ident
                        .extend(self.#ident.iter().map(|(k, v)| (k.clone(), v.clone())));
                },
            ),
            Merge::Nested(nested) => (
                " Per environment: applied field by field over the base.",
                quote! {
                    #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                    pub #ident: Option<#nested>
                },
                quote! {
                    if let Some(value) = &self.#ident {
                        value.apply_to(&mut target.#ident);
                    }
                },
            ),
        };
        declarations.push(quote! {
            #(#docs)*
            #[doc = ""]
            #[doc = #how]
            #(#checks)*
            #declared
        });
        applications.push(apply);
    }
    let apply_doc = format!(" Applies this override to `target`, a [`{name}`].");
    Ok(quote! {
        #[doc = #type_doc]
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Deserialize, ::serde::Serialize, ::schemars::JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #vis struct #override_name {
            #(#declarations,)*
        }

        impl #override_name {
            #[doc = #apply_doc]
            pub fn apply_to(&self, target: &mut #name) {
                #(#applications)*
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(source: &str) -> String {
        let input: DeriveInput = syn::parse_str(source).expect("valid input");
        expand(&input).map_or_else(|e| e.to_string(), |t| t.to_string())
    }

    #[test]
    fn each_kind_of_field_gets_its_merge_rule() {
        let out = expand_str(
            "struct Spec {
                /// Count.
                #[serde(default = \"two\")]
                #[schemars(range(min = 1))]
                count: u32,
                #[serde(rename = \"type\")]
                kind: Kind,
                maybe: Option<String>,
                labels: BTreeMap<String, String>,
                #[overridable(nested)]
                sub: Sub,
                #[overridable(skip)]
                fixed: String,
            }",
        );
        assert!(out.contains("pub count : Option < u32 >"), "{out}");
        assert!(out.contains("schemars (range (min = 1))"), "{out}");
        assert!(
            !out.contains("two"),
            "serde defaults are not carried: {out}"
        );
        assert!(out.contains("rename = \"type\""), "{out}");
        assert!(out.contains("pub maybe : Option < String >"), "{out}");
        assert!(
            out.contains("pub labels : BTreeMap < String , String >"),
            "{out}"
        );
        assert!(out.contains("pub sub : Option < SubOverride >"), "{out}");
        assert!(
            out.contains("value . apply_to (& mut target . sub)"),
            "{out}"
        );
        assert!(!out.contains("fixed"), "{out}");
        assert!(out.contains("struct SpecOverride"), "{out}");
    }

    #[test]
    fn struct_options_name_the_type_and_add_fields() {
        let out = expand_str(
            "#[overridable(name = EnvOverride, extra {
                /// The namespace.
                pub namespace: Option<String>,
            })]
            struct Spec { a: u8 }",
        );
        assert!(out.contains("struct EnvOverride"), "{out}");
        assert!(out.contains("pub namespace : Option < String >"), "{out}");
        assert!(
            !out.contains("target . namespace"),
            "extra fields are applied by hand: {out}"
        );
    }

    #[test]
    fn unknown_options_are_errors() {
        let out = expand_str("struct Spec { #[overridable(sometimes)] a: u8 }");
        assert!(out.contains("expected `skip` or `nested`"), "{out}");
        let out = expand_str("enum E { A }");
        assert!(out.contains("only for structs"), "{out}");
    }
}
