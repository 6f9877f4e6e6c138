//! A scripted JSON-RPC session with `stackc lsp`: diagnostics on open and
//! change, formatting, hover and go-to-definition.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Stdio};

struct Session {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    child: std::process::Child,
    next: i64,
}

impl Session {
    fn start() -> Session {
        let mut child = common::stackc()
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut s = Session {
            stdin,
            stdout,
            child,
            next: 1,
        };
        let init = s.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        );
        assert_eq!(init["capabilities"]["hoverProvider"], true);
        s.notify("initialized", json!({}));
        s
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse().unwrap();
            }
        }
        let mut buf = vec![0; len];
        self.stdout.read_exact(&mut buf).unwrap();
        serde_json::from_slice(&buf).unwrap()
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self.read();
            if msg["id"] == id {
                return msg["result"].clone();
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn diagnostics(&mut self) -> Value {
        loop {
            let msg = self.read();
            if msg["method"] == "textDocument/publishDiagnostics" {
                return msg["params"]["diagnostics"].clone();
            }
        }
    }
}

const DOC: &str = "network \"k8s\" {\n  cidr    = 10.1.1.0/24\n  gateway = 10.1.1.1\n}\nnode \"cp\" {\n  count = 3\n  roles = [control_plane, etcd, worker]\n  network = network.k8s\n  ip    = 10.1.1.11\n}\nnode \"w\" {\n  roles = [worker]\n  ip    = 10.1.1.12\n}\n";

#[test]
fn a_session_shows_diagnostics_formatting_hover_and_definition() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.stack");
    std::fs::write(&path, DOC).unwrap();
    let uri = format!("file://{}", path.display());
    let mut s = Session::start();

    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "stack", "version": 1, "text": DOC } }),
    );
    let diags = s.diagnostics();
    let d = &diags.as_array().unwrap()[0];
    assert_eq!(d["code"], "E0303", "{diags}");
    assert_eq!(d["range"]["start"], json!({ "line": 12, "character": 10 }));
    assert_eq!(
        d["relatedInformation"][0]["location"]["range"]["start"]["line"],
        8
    );

    // Fix the address: the diagnostics clear.
    let fixed = DOC.replace("10.1.1.12", "10.1.1.20");
    s.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }));
    assert_eq!(s.diagnostics(), json!([]));

    let edits = s.request("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }));
    let new_text = edits[0]["newText"].as_str().unwrap();
    assert!(
        new_text.contains(
            "  count   = 3\n  roles   = [control_plane, etcd, worker]\n  network = network.k8s"
        ),
        "{new_text}"
    );

    // Hover on `network.k8s` (line 7) and on the `cp` label (line 4).
    let hover = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 7, "character": 14 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("10.1.1.0/24") && text.contains("gateway 10.1.1.1"),
        "{text}"
    );
    let hover = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 4, "character": 7 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("`cp-3`") && text.contains("10.1.1.13"),
        "{text}"
    );

    let def = s.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 7, "character": 14 } }),
    );
    assert_eq!(def["uri"], uri);
    assert_eq!(def["range"]["start"], json!({ "line": 0, "character": 0 }));

    let _ = s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    assert!(s.child.wait().unwrap().success());
}
