//! The ClearML envelope every API answer is wrapped in: `{"meta": {...}, "data": {...}}`, HTTP status =
//! `meta.result_code`. The server serializes [`Envelope`]; the client deserializes it and turns a failure into
//! a [`CallError`].

use crate::codes::ResultCode;
use crate::error::CallError;
use crate::lenient;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `meta.endpoint`: which endpoint answered, at which version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointMeta {
    /// `service.action`, e.g. `tasks.get_all`.
    #[serde(default)]
    pub name: String,
    /// The version in the request path (`/v2.23/...`), or the server's default.
    #[serde(default)]
    pub requested_version: String,
    /// The version that answered.
    #[serde(default)]
    pub actual_version: String,
}

/// `meta` of an envelope. Fields keep ClearML's order; everything defaults when a server leaves it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Request id (32 hex digits).
    #[serde(default)]
    pub id: String,
    /// Transaction id (trove: the request id).
    #[serde(default)]
    pub trx: String,
    /// The endpoint, `null` when the path named none.
    #[serde(default)]
    pub endpoint: Option<EndpointMeta>,
    /// HTTP status of the answer.
    #[serde(default)]
    pub result_code: u16,
    /// ClearML's subcode (see [`ResultCode`]).
    #[serde(default)]
    pub result_subcode: u32,
    /// `OK`, or what failed.
    #[serde(default)]
    pub result_msg: String,
    /// A server-side traceback; trove never sends one.
    #[serde(default, deserialize_with = "lenient::lossy_opt_string")]
    pub error_stack: Option<String>,
    /// Details of a failure (`{}` otherwise).
    #[serde(default = "empty_object")]
    pub error_data: Value,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl Meta {
    /// A fresh `meta` (new id) for `code` and `message`.
    pub fn new(endpoint: Option<EndpointMeta>, code: ResultCode, message: &str) -> Self {
        let id = trove_core::new_id();
        Self {
            trx: id.clone(),
            id,
            endpoint,
            result_code: code.http(),
            result_subcode: code.subcode(),
            result_msg: message.to_string(),
            error_stack: None,
            error_data: empty_object(),
        }
    }

    /// The result code (a missing `result_code` counts as `http_status`, the status the answer came with).
    pub fn code(&self, http_status: u16) -> ResultCode {
        let http = if self.result_code == 0 {
            http_status
        } else {
            self.result_code
        };
        ResultCode::from_numbers(http, self.result_subcode)
    }

    /// The failure this `meta` reports, or `None` for a 200 answer.
    pub fn failure(&self, http_status: u16) -> Option<CallError> {
        let code = self.code(http_status);
        if code.http() == 200 {
            return None;
        }
        let message = if self.result_msg.is_empty() {
            code.default_message().to_string()
        } else {
            self.result_msg.clone()
        };
        Some(CallError::new(code, message).with_data(self.error_data.clone()))
    }
}

/// An envelope: `meta` plus the endpoint's `data` (`{}` on failures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de> + Default"))]
pub struct Envelope<D> {
    /// Result and request metadata.
    pub meta: Meta,
    /// The answer.
    #[serde(default)]
    pub data: D,
}

impl<D> Envelope<D> {
    /// A 200/0 "OK" envelope around `data`.
    pub fn ok(endpoint: Option<EndpointMeta>, data: D) -> Self {
        Self {
            meta: Meta::new(endpoint, ResultCode::Ok, "OK"),
            data,
        }
    }
}

impl Envelope<Value> {
    /// The envelope of a failed call: its code, message and `error_data`, `data` = `{}`.
    pub fn failure(endpoint: Option<EndpointMeta>, error: &CallError) -> Self {
        let mut meta = Meta::new(endpoint, error.code, &error.message);
        meta.error_data = error.data.clone();
        Self {
            meta,
            data: empty_object(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ep() -> Option<EndpointMeta> {
        Some(EndpointMeta {
            name: "tasks.get_by_id".into(),
            requested_version: "2.13".into(),
            actual_version: "2.13".into(),
        })
    }

    #[test]
    fn ok_envelope_has_clearml_shape_and_order() {
        let env = Envelope::ok(ep(), json!({"id": "x"}));
        let v = serde_json::to_value(&env).unwrap();
        let keys: Vec<&String> = v["meta"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "id",
                "trx",
                "endpoint",
                "result_code",
                "result_subcode",
                "result_msg",
                "error_stack",
                "error_data"
            ]
        );
        assert_eq!(v["meta"]["result_code"], 200);
        assert_eq!(v["meta"]["result_msg"], "OK");
        assert!(v["meta"]["error_stack"].is_null());
        assert_eq!(v["meta"]["error_data"], json!({}));
        assert_eq!(v["meta"]["id"], v["meta"]["trx"]);
        assert_eq!(v["meta"]["id"].as_str().unwrap().len(), 32);
        let back: Envelope<Value> = serde_json::from_value(v).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.meta.failure(200), None);
    }

    #[test]
    fn failures_round_trip() {
        let err = CallError::invalid_task("abc");
        let env = Envelope::failure(None, &err);
        let text = serde_json::to_string(&env).unwrap();
        assert!(text.contains("\"endpoint\":null"), "{text}");
        let back: Envelope<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(back.data, json!({}));
        assert_eq!(back.meta.failure(400), Some(err));
    }

    #[test]
    fn foreign_envelopes_are_read_leniently() {
        // A ClearML server's answer: a string traceback, no data, an unlisted subcode.
        let v = json!({"meta": {"result_code": 400, "result_subcode": 9876, "result_msg": "",
            "error_stack": "Traceback...", "endpoint": {"name": "tasks.x"}}});
        let env: Envelope<Value> = serde_json::from_value(v).unwrap();
        assert_eq!(env.data, Value::Null);
        let e = env.meta.failure(400).unwrap();
        assert_eq!(
            e.code,
            ResultCode::Unlisted {
                http: 400,
                subcode: 9876
            }
        );
        assert_eq!(e.message, "unlisted result code");
        // No result_code at all: the HTTP status decides.
        let env: Envelope<Value> = serde_json::from_value(json!({"meta": {}})).unwrap();
        assert_eq!(env.meta.failure(404).unwrap().code, ResultCode::NotFound);
        assert_eq!(env.meta.failure(200), None);
    }
}
