//! Custom resources the tool emits. k8s-openapi has types only for the built-in kinds, so each
//! custom kind is a struct with `metadata` and `spec`, and [`custom_resource!`] gives it what the
//! built-in types have: its apiVersion and kind as [`k8s_openapi::Resource`] constants (never
//! string literals at the use sites), [`k8s_openapi::Metadata`], and a serializer that writes
//! `apiVersion` and `kind` from those constants.

/// Implements `Resource`, `Metadata` and `Serialize` for a struct with `metadata: ObjectMeta`
/// and `spec`, as a namespaced kind of `group`/`version` with `plural` in its URLs.
macro_rules! custom_resource {
    ($type:ty, group: $group:literal, version: $version:literal, kind: $kind:literal, plural: $plural:literal) => {
        impl k8s_openapi::Resource for $type {
            const API_VERSION: &'static str = concat!($group, "/", $version);
            const GROUP: &'static str = $group;
            const KIND: &'static str = $kind;
            const VERSION: &'static str = $version;
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = k8s_openapi::NamespaceResourceScope;
        }

        impl k8s_openapi::Metadata for $type {
            type Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

            fn metadata(&self) -> &Self::Ty {
                &self.metadata
            }

            fn metadata_mut(&mut self) -> &mut Self::Ty {
                &mut self.metadata
            }
        }

        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use k8s_openapi::Resource;
                use serde::ser::SerializeStruct;
                let mut s = serializer.serialize_struct(Self::KIND, 4)?;
                s.serialize_field("apiVersion", Self::API_VERSION)?;
                s.serialize_field("kind", Self::KIND)?;
                s.serialize_field("metadata", &self.metadata)?;
                s.serialize_field("spec", &self.spec)?;
                s.end()
            }
        }
    };
}

pub(crate) use custom_resource;
