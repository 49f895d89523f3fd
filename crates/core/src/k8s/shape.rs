//! The shape of an object: its serialized form with the content of every string value left out
//! (keys, numbers, booleans, nulls, and the lengths of arrays and maps stay).
//!
//! The Kubernetes schemas `validate` checks objects against constrain no string's content: they
//! use only structural keywords (`type`, `properties`, `required`, `items`,
//! `additionalProperties`, `$ref`) and annotations, and formats are not asserted (a test in
//! `check` holds both up for every generated kind). So two objects of one kind with the same shape
//! get the same verdict, and `validate` serializes and checks only the first object of each shape:
//! an environment that changes the namespace, the image or a Spark setting changes only strings.
//! Computing a shape writes bytes into one buffer and allocates nothing per node, a fraction of
//! the cost of building the JSON value the schema check needs.

use std::collections::HashSet;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// The shapes (by kind) of objects whose schema check passed, and of those waiting for theirs:
/// `validate` keeps one per worker across configs, so an object shaped like one that passed in an
/// earlier config is not checked again. A shape only counts as passed once [`Shapes::commit`]
/// says the check of the config that brought it passed.
#[derive(Debug, Default)]
pub struct Shapes {
    passed: HashSet<(&'static str, Vec<u8>)>,
    pending: Vec<(&'static str, Vec<u8>)>,
}

impl Shapes {
    /// Whether an object of `kind` and `shape` is left to check; if so it is pending from now.
    pub fn is_new(&mut self, kind: &'static str, shape: Vec<u8>) -> bool {
        let key = (kind, shape);
        // A handful of pending objects per config: a scan beats hashing them twice.
        let new = !self.pending.contains(&key) && !self.passed.contains(&key);
        if new {
            self.pending.push(key);
        }
        new
    }

    /// The pending shapes passed their check.
    pub fn commit(&mut self) {
        self.passed.extend(self.pending.drain(..));
    }

    /// The pending shapes were not checked, or failed: they stay new.
    pub fn discard(&mut self) {
        self.pending.clear();
    }
}

/// The shape of `value`. Two shapes are equal only when the serde forms are equal but for the
/// content of string values (keys count); struct field names are told apart by address, so the
/// same name written in two places may make two shapes differ, which costs a check, no more.
pub fn of<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut shape = Shape {
        out: Vec::with_capacity(4096),
    };
    value
        .serialize(&mut shape)
        .expect("writing a shape cannot fail");
    shape.out
}

struct Shape {
    out: Vec<u8>,
}

impl Shape {
    fn text(&mut self, tag: u8, text: &str) {
        self.out.push(tag);
        self.out.extend_from_slice(&text.len().to_le_bytes());
        self.out.extend_from_slice(text.as_bytes());
    }

    /// A struct's field name: a `&'static str`, so its address and length name it.
    fn field(&mut self, name: &'static str) {
        self.out.push(b'f');
        self.out
            .extend_from_slice(&(name.as_ptr() as usize).to_le_bytes());
        self.out.extend_from_slice(&name.len().to_le_bytes());
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ShapeError> {
        key.serialize(KeyShape(self))
    }
}

/// Shapes never fail; serde asks for an error type all the same.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ShapeError(String);

impl ser::Error for ShapeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

macro_rules! numbers {
    ($($method:ident: $t:ty => $tag:literal as $wide:ty),* $(,)?) => {$(
        fn $method(self, v: $t) -> Result<(), ShapeError> {
            self.out.push($tag);
            self.out.extend_from_slice(&<$wide>::from(v).to_le_bytes());
            Ok(())
        }
    )*};
}

impl ser::Serializer for &mut Shape {
    type Ok = ();
    type Error = ShapeError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    numbers! {
        serialize_i8: i8 => b'i' as i64, serialize_i16: i16 => b'i' as i64,
        serialize_i32: i32 => b'i' as i64, serialize_i64: i64 => b'i' as i64,
        serialize_u8: u8 => b'u' as u64, serialize_u16: u16 => b'u' as u64,
        serialize_u32: u32 => b'u' as u64, serialize_u64: u64 => b'u' as u64,
        serialize_f32: f32 => b'f' as f64, serialize_f64: f64 => b'f' as f64,
    }

    fn serialize_bool(self, v: bool) -> Result<(), ShapeError> {
        self.out.extend_from_slice(&[b'b', u8::from(v)]);
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), ShapeError> {
        self.out.push(b's');
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), ShapeError> {
        self.out.push(b's');
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), ShapeError> {
        // serde_json writes bytes as an array of numbers: keep them.
        self.out.push(b'y');
        self.out.extend_from_slice(&v.len().to_le_bytes());
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), ShapeError> {
        self.out.push(b'n');
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), ShapeError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), ShapeError> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), ShapeError> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), ShapeError> {
        self.serialize_str("")
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), ShapeError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), ShapeError> {
        self.out.push(b'{');
        self.text(b'k', variant);
        v.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, ShapeError> {
        self.out.push(b'[');
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, ShapeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self, ShapeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, ShapeError> {
        self.out.push(b'{');
        self.text(b'k', variant);
        self.out.push(b'[');
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, ShapeError> {
        self.out.push(b'{');
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, ShapeError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, ShapeError> {
        self.out.push(b'{');
        self.text(b'k', variant);
        self.out.push(b'{');
        Ok(self)
    }
}

macro_rules! sequence {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for &mut Shape {
            type Ok = ();
            type Error = ShapeError;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ShapeError> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), ShapeError> {
                self.out.push(b']');
                Ok(())
            }
        }
    )*};
}
sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeTupleVariant for &mut Shape {
    type Ok = ();
    type Error = ShapeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ShapeError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), ShapeError> {
        self.out.extend_from_slice(b"]}");
        Ok(())
    }
}

impl ser::SerializeMap for &mut Shape {
    type Ok = ();
    type Error = ShapeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ShapeError> {
        self.key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ShapeError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), ShapeError> {
        self.out.push(b'}');
        Ok(())
    }
}

macro_rules! fields {
    ($($trait:ident => $close:literal),*) => {$(
        impl ser::$trait for &mut Shape {
            type Ok = ();
            type Error = ShapeError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), ShapeError> {
                self.field(key);
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), ShapeError> {
                self.out.extend_from_slice($close);
                Ok(())
            }
        }
    )*};
}
fields!(SerializeStruct => b"}", SerializeStructVariant => b"}}");

/// A map key: its content counts (the schemas name properties).
struct KeyShape<'a>(&'a mut Shape);

macro_rules! key_numbers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), ShapeError> {
            self.0.text(b'k', &v.to_string());
            Ok(())
        }
    )*};
}

impl ser::Serializer for KeyShape<'_> {
    type Ok = ();
    type Error = ShapeError;
    type SerializeSeq = Impossible<(), ShapeError>;
    type SerializeTuple = Impossible<(), ShapeError>;
    type SerializeTupleStruct = Impossible<(), ShapeError>;
    type SerializeTupleVariant = Impossible<(), ShapeError>;
    type SerializeMap = Impossible<(), ShapeError>;
    type SerializeStruct = Impossible<(), ShapeError>;
    type SerializeStructVariant = Impossible<(), ShapeError>;

    key_numbers!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_f32: f32, serialize_f64: f64, serialize_bool: bool, serialize_char: char
    );

    fn serialize_str(self, v: &str) -> Result<(), ShapeError> {
        self.0.text(b'k', v);
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), ShapeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), ShapeError> {
        v.serialize(self)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), ShapeError> {
        Err(not_a_key())
    }
    fn serialize_none(self) -> Result<(), ShapeError> {
        Err(not_a_key())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), ShapeError> {
        Err(not_a_key())
    }
    fn serialize_unit(self) -> Result<(), ShapeError> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), ShapeError> {
        Err(not_a_key())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), ShapeError> {
        Err(not_a_key())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, ShapeError> {
        Err(not_a_key())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, ShapeError> {
        Err(not_a_key())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, ShapeError> {
        Err(not_a_key())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, ShapeError> {
        Err(not_a_key())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, ShapeError> {
        Err(not_a_key())
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, ShapeError> {
        Err(not_a_key())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, ShapeError> {
        Err(not_a_key())
    }
}

fn not_a_key() -> ShapeError {
    ShapeError("a map key must be a string or a number (as in JSON)".into())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::{Shapes, of};

    /// A shape counts as checked only once committed: one from a config that failed (discarded)
    /// is new again for the next config, and pending ones are not new within their own config.
    #[test]
    fn only_committed_shapes_skip_the_check() {
        let mut shapes = Shapes::default();
        assert!(shapes.is_new("Job", vec![1]));
        assert!(!shapes.is_new("Job", vec![1]), "pending in this config");
        assert!(shapes.is_new("Role", vec![1]), "kinds are told apart");
        shapes.discard();
        assert!(
            shapes.is_new("Job", vec![1]),
            "a failed config's shapes stay new"
        );
        shapes.commit();
        assert!(!shapes.is_new("Job", vec![1]));
        assert!(shapes.is_new("Job", vec![2]));
    }

    #[test]
    fn only_string_contents_are_left_out() {
        let a =
            json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "n": 1, "args": ["p", "q"]});
        let other_strings =
            json!({"metadata": {"name": "bb", "labels": {"x": "22"}}, "n": 1, "args": ["r", "s"]});
        assert_eq!(of(&a), of(&other_strings));
        for different in [
            json!({"metadata": {"name": "a", "labels": {"y": "1"}}, "n": 1, "args": ["p", "q"]}),
            json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "n": 2, "args": ["p", "q"]}),
            json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "n": 1, "args": ["p"]}),
            json!({"metadata": {"name": "a", "labels": {"x": 1}}, "n": 1, "args": ["p", "q"]}),
            json!({"metadata": {"name": null, "labels": {"x": "1"}}, "n": 1, "args": ["p", "q"]}),
            json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "n": 1, "args": [["p"], "q"]}),
        ] {
            assert_ne!(of(&a), of(&different), "{different}");
        }
    }

    #[test]
    fn keys_are_told_apart_however_they_are_cut() {
        let a: BTreeMap<&str, &str> = [("ab", "s"), ("c", "s")].into();
        let b: BTreeMap<&str, &str> = [("a", "s"), ("bc", "s")].into();
        assert_ne!(of(&a), of(&b));
    }
}
