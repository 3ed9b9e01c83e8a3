//! The `trove` binary's integration tests, in one binary: the attack suite of issue 13 against the real
//! binary ([`attacks`]), error output, and under [`external`] what needs PostgreSQL (`scripts/test --fast`
//! skips it).

mod attacks;
mod errors;

/// Tests that need PostgreSQL.
mod external {
    mod attacks_postgres;
    mod migrate;
}
