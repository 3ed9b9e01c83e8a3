//! Item 2 of the attack suite on PostgreSQL: a key revoked through one server stops working at once on every
//! server sharing the database (API tokens and web sessions).

use crate::attacks::harness::{Conf, Server};
use crate::attacks::tokens::{credentials, new_key};
use serde_json::json;

#[test]
fn revocation_reaches_every_server_on_postgresql() {
    let db = trove_testkit::postgres::PgDb::create("trove_attacks");
    let tmp = tempfile::tempdir().unwrap();
    let flags = ["--db", db.url.as_str()];
    let a = Server::start(&tmp.path().join("a"), Conf::default(), &flags);
    let b = Server::start(&tmp.path().join("b"), Conf::default(), &flags);
    let (k, sec) = new_key(&tmp.path().join("a"), &["--db", db.url.as_str()]);
    let t = a.login_as(&k, &sec);
    b.ok(&t, "projects.get_all", json!({}));
    let cookie = b.web_login(&k, &sec);
    assert_eq!(b.web_get(&cookie, "/projects").0, 200);
    credentials(
        &tmp.path().join("a"),
        &["revoke", &k, "--db", db.url.as_str()],
    );
    assert_eq!(a.call(&t, "projects.get_all", json!({})).0, 401);
    assert_eq!(b.call(&t, "projects.get_all", json!({})).0, 401);
    assert_eq!(b.web_get(&cookie, "/projects").0, 303);
    drop((a, b));
    drop(db);
}
