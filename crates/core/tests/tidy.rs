//! Invariants of the source itself, checked as tests (rust-analyzer's "tidy" tests): what
//! ARCHITECTURE.md promises about core and can be read off its code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The identifier `text` starts with.
fn ident(text: &str) -> String {
    text.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The text of a file without its comments and string contents, so that a word in prose or in
/// a message is not taken for code.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if !in_str && c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
                kept.push('"');
            } else if !in_str {
                kept.push(c);
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Core does no IO: it is handed a clock, a random source and a store, and reads none of its
/// own (ARCHITECTURE.md, "core does no IO").
#[test]
fn core_reads_no_clock_randomness_or_world_of_its_own() {
    const FORBIDDEN: &[&str] = &[
        "SystemTime",
        "Instant::now",
        "thread_local!",
        "OsRng",
        "getrandom",
        "rand::",
        "SystemRandom",
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
    ];
    // RSASSA-PKCS1-v1_5 signing takes an RNG it ignores (see `tokens::sign`).
    const ALLOWED: &[(&str, &str)] = &[("tokens.rs", "aws_lc_rs::rand::SystemRandom::new()")];
    let mut found = Vec::new();
    for path in sources(&src()) {
        let name = path.strip_prefix(src()).unwrap().display().to_string();
        let mut code = code_of(&std::fs::read_to_string(&path).unwrap());
        for (file, text) in ALLOWED {
            if name == *file {
                assert!(code.contains(text), "{file} no longer needs its exception for {text}");
                code = code.replace(text, "");
            }
        }
        for word in FORBIDDEN {
            for (n, line) in code.lines().enumerate() {
                if line.contains(word) {
                    found.push(format!("{name}:{}: {word}", n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "core must take time and randomness as inputs:\n{}", found.join("\n"));
}

/// The modules of `idp` depend on one another in one direction only. An edge is a path into
/// another module (`crate::idp::users`) or a call of a `UserPools` method that another module
/// defines, since `impl` blocks hide the second kind from a reading of the imports.
#[test]
fn idp_modules_form_no_cycle() {
    let idp = src().join("idp");
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for path in sources(&idp) {
        let rel = path.strip_prefix(&idp).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if top == "mod" {
            continue; // the facade, which may reach every module
        }
        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        modules.entry(top).or_default().push_str(&code);
    }
    let mut methods: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &modules {
        for block in code.split("\nimpl UserPools {").skip(1) {
            let body = block.split("\n}").next().unwrap_or_default();
            for line in body.lines() {
                let line = line.trim_start_matches("    ");
                let line = line.strip_prefix("pub(crate) ").or(line.strip_prefix("pub ")).unwrap_or(line);
                if let Some(rest) = line.strip_prefix("fn ") {
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    methods.entry(name).or_default().insert(module.clone());
                }
            }
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &modules {
        let out = edges.entry(module.clone()).or_default();
        for part in code.split("crate::idp::").skip(1) {
            let names: Vec<String> = match part.strip_prefix('{') {
                Some(group) => group.split('}').next().unwrap_or_default().split(',').map(ident).collect(),
                None => vec![ident(part)],
            };
            for name in names.into_iter().filter(|n| !n.is_empty()) {
                assert!(
                    modules.contains_key(&name),
                    "{module} reaches crate::idp::{name}: import it from the module that defines it"
                );
                out.insert(name);
            }
        }
        for part in code.split('.').skip(1) {
            let name = ident(part);
            if part[name.len()..].starts_with('(') {
                out.extend(methods.get(&name).into_iter().flatten().cloned());
            }
        }
        out.remove(module);
    }
    // Depth-first search for a back edge.
    fn visit<'a>(
        n: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| *p == n) {
            return Some(path[i..].iter().map(|s| s.to_string()).chain([n.to_string()]).collect());
        }
        if !done.insert(n) {
            return None;
        }
        path.push(n);
        for m in edges.get(n).into_iter().flatten() {
            if let Some(cycle) = visit(m, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        if let Some(cycle) = visit(n, &edges, &mut Vec::new(), &mut done) {
            panic!("idp modules depend on each other in a circle: {}", cycle.join(" -> "));
        }
    }
}
