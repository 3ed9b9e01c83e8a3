//! The attack suite of issue 13: each attack a holder of one API key (or nobody) could try against a shared
//! `trove server`, run against the real binary on free ports over a temporary home. Every test asserts
//! that the attack fails and that the server keeps serving; SECURITY.md states what the server promises.
//!
//! | item | attack | test |
//! |---|---|---|
//! | 1 | records naming local files, the database, symlinks; traversal; 404s naming folders; file modes | `reading::records_cannot_make_the_server_read_local_files` |
//! | 1 | a files folder or allowed destination holding the secrets | `reading::a_files_folder_or_allowed_destination_holding_secrets_is_refused` |
//! | 1, 2 | forged tokens and sessions | `tokens::forged_tokens_and_sessions_are_refused` |
//! | 2 | revocation (API, files, web, renewal), token lifetime | `tokens::revoked_keys_stop_working_at_once_and_tokens_do_not_outlive_their_ttl` |
//! | 2 | revocation across two servers on PostgreSQL | `external::attacks_postgres::revocation_reaches_every_server_on_postgresql` |
//! | 3 | records and forms naming other hosts (SSRF with the server's credentials) | `reading::records_and_forms_cannot_make_the_server_contact_other_hosts` |
//! | 4 | unauthenticated 64 MiB bodies | `limits::unauthenticated_bodies_are_never_read_and_memory_stays_flat` |
//! | 4 | idle and slow clients, connection cap | `limits::idle_and_slow_clients_are_cut_and_connections_are_capped` |
//! | 4 | upload size limit | `limits::uploads_over_the_configured_limit_are_refused_and_leave_nothing` |
//! | 5 | Parquet bomb | `limits::a_parquet_bomb_costs_its_preview_nothing` |
//! | 6 | DNS rebinding and cross-site POSTs with `--no-auth` and `trove demo` | `browsers::no_auth_servers_…`, `browsers::the_demo_server_…` |
//! | 7 | open redirect, stored XSS via the files server, Secure cookie, error texts, escaping | `browsers::login_redirects_uploaded_pages_cookies_and_errors` |
//! | 7 | login throttling | `tokens::failed_logins_are_throttled_on_the_api_and_the_web` |
//! | 7 | short token secrets | `browsers::short_token_secrets_are_refused` |
//! | 8 | SIGTERM with uploads in flight | `lifecycle::sigterm_lets_uploads_in_flight_finish_then_exits` |

pub(crate) mod bomb;
mod browsers;
pub(crate) mod harness;
mod lifecycle;
mod limits;
mod reading;
pub(crate) mod tokens;
