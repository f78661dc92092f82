//! The shape of the generated tables: what the validator needs to know about a model.

/// One service model: its shapes and operations.
pub struct Service {
    pub target_prefix: &'static str,
    pub shapes: &'static [Shape],
    pub operations: &'static [Operation],
}

impl Service {
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        self.operations.binary_search_by(|op| op.name.cmp(name)).ok().map(|i| &self.operations[i])
    }
}

pub struct Shape {
    pub name: &'static str,
    /// Values of sensitive shapes are never echoed in error messages.
    pub sensitive: bool,
    pub kind: Kind,
}

pub enum Kind {
    Structure { members: &'static [Member] },
    List { member: usize, min: Option<i64>, max: Option<i64> },
    Map { key: usize, value: usize, min: Option<i64>, max: Option<i64> },
    String { min: Option<i64>, max: Option<i64>, pattern: Option<&'static str>, enum_values: &'static [&'static str] },
    Integer { min: Option<i64>, max: Option<i64> },
    Long { min: Option<i64>, max: Option<i64> },
    Boolean,
    Timestamp,
    Blob { min: Option<i64>, max: Option<i64> },
    Document,
}

pub struct Member {
    pub name: &'static str,
    pub shape: usize,
    pub required: bool,
}

pub struct Operation {
    pub name: &'static str,
    pub input: Option<usize>,
    pub output: Option<usize>,
    /// Callable without SigV4 (client id or access token instead).
    pub unauthenticated: bool,
}
