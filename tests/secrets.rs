//! Secrets stay secret: registry passwords, identity tokens, `user:password@` in a host, a
//! credential helper's answer and TLS private keys are planted, then every `Debug`,
//! `Display`, error and tracing event the calls produce (at every level, against the real
//! engine and registry) is searched for them, plainly and base64-encoded. Its own binary: it
//! puts a credential helper on `PATH` and holds the thread's tracing subscriber.

#[path = "engine/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use docker_engine::auth::{DockerConfig, RegistryAuth};
use docker_engine::{Docker, TlsMaterial};
use futures_util::StreamExt;

use common::{engine, unique};

/// A subscriber that writes every span and event, with all their fields, to a string.
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\nspan {}", span.metadata().name());
        span.record(&mut Fields(&mut out));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\nevent {}", event.metadata().target());
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The forms a secret could leak in: itself, and the base64 of it at each of the three
/// alignments a base64 encoder can meet it (the middle of each, which does not depend on the
/// bytes around it).
fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string()];
    for pad in 0..3 {
        let mut bytes = vec![b'x'; pad];
        bytes.extend_from_slice(secret.as_bytes());
        let encoded = base64(&bytes);
        // Skip the characters that mix in the padding bytes, and the last group.
        let start = (pad * 4).div_ceil(3) + 1;
        let end = encoded.len().saturating_sub(4);
        if end > start + 8 {
            let middle = &encoded[start..end];
            out.push(middle.to_string());
            // The URL-safe alphabet, which X-Registry-Auth uses.
            out.push(middle.replace('+', "-").replace('/', "_"));
        }
    }
    out
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_debug_display_errors_or_tracing() {
    let e = engine();
    let log = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture(log.clone()));
    let id = unique("secret");
    let password = format!("pw-{id}-planted");
    let token = format!("tok-{id}-planted");
    let host_password = format!("hostpw-{id}-planted");
    let helper_secret = format!("helper-{id}-planted");
    let inline_secret = format!("inline-{id}-planted");
    let mut seen = String::new();
    let mut show = |what: &str, text: String| {
        let _ = write!(seen, "\n{what}: {text}");
    };

    // A password in the host.
    let err = Docker::connect(&format!("tcp://me:{host_password}@127.0.0.1:2375")).unwrap_err();
    show("host error", format!("{err} / {err:?}"));

    // TLS material: the client key's base64 body.
    let tls = TlsMaterial::from_dir(&e.certs).unwrap();
    let key = String::from_utf8(tls.key_pem.clone().unwrap()).unwrap();
    let key_line = key.lines().nth(1).unwrap().to_string();
    let builder = Docker::builder().host(&e.tls_host).tls(tls.clone());
    show("builder", format!("{builder:?} {tls:?}"));
    let d = builder.build().unwrap();
    show("client", format!("{d:?}"));
    d.version().await.unwrap();

    // Registry credentials, wrong ones, on pull, push, login and registry data.
    let wrong = RegistryAuth::basic(&e.registry_user, &password).server(&e.registry);
    let tok = RegistryAuth::token(&token).server(&e.registry);
    show("auth", format!("{wrong:?} / {wrong} / {tok:?} / {tok}"));
    let reference = format!("{}/dei-secrets:none", e.registry);
    let pull = d.images().pull(&reference).auth(wrong.clone());
    show("pull builder", format!("{pull:?}"));
    let err = pull.send().await.unwrap_err();
    show("pull error", format!("{err} / {err:?}"));
    let mut s = d.images().pull(&reference).auth(tok.clone()).stream();
    while let Some(item) = s.next().await {
        show("pull item", format!("{item:?}"));
    }
    let push = d.images().push(&reference).auth(wrong.clone());
    show("push builder", format!("{push:?}"));
    let err = push.send().await.unwrap_err();
    show("push error", format!("{err} / {err:?}"));
    let body: docker_engine::types::op::system_auth::Body =
        serde_json::from_value(serde_json::json!({
            "username": e.registry_user,
            "password": password,
            "serveraddress": e.registry,
        }))
        .unwrap();
    let err = d.raw().system_auth().body(body).send().await.unwrap_err();
    let err = docker_engine::Error::from(err);
    show("login error", format!("{err} / {err:?}"));
    let data = d
        .images()
        .registry_data(&reference)
        .auth(wrong.clone())
        .send()
        .await;
    show("registry data", format!("{data:?}"));

    // The docker CLI's config: an inline `auths` entry, and a helper that answers with a
    // secret, then one that fails after printing it.
    let dir = std::env::temp_dir().join(unique("secrets-config"));
    std::fs::create_dir_all(&dir).unwrap();
    let helper = |name: &str, body: &str| {
        let path = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    helper(
        "dei-good",
        &format!(
            "echo '{{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"{helper_secret}\"}}'"
        ),
    );
    helper(
        "dei-bad",
        &format!(
            "echo 'Username u Secret {helper_secret}'; echo 'Secret {helper_secret}' >&2; exit 1"
        ),
    );
    // SAFETY: this binary has one test, on one thread; nothing reads the environment while
    // PATH is set.
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    unsafe { std::env::set_var("PATH", path) };
    let config = DockerConfig::from_json(
        &serde_json::json!({
            "auths": {
                "inline.example": { "auth": base64(format!("u:{inline_secret}").as_bytes()) },
                "token.example": { "identitytoken": token },
            },
            "credHelpers": { "good.example": "dei-good", "bad.example": "dei-bad" },
        })
        .to_string(),
    )
    .unwrap();
    show("config", format!("{config:?}"));
    for registry in [
        "inline.example",
        "token.example",
        "good.example",
        "bad.example",
    ] {
        let found = config.credentials_for_registry(registry).await;
        match &found {
            Ok(Some(auth)) => show(registry, format!("{auth:?} {auth}")),
            other => show(registry, format!("{other:?}")),
        }
        if let Err(err) = &found {
            show(registry, format!("{err}"));
        }
    }
    assert!(
        matches!(
            config.credentials_for_registry("good.example").await,
            Ok(Some(_))
        ),
        "the helper's answer was read"
    );
    assert!(
        config
            .credentials_for_registry("bad.example")
            .await
            .is_err()
    );

    // The search finds a secret inside a header value at any alignment.
    for pad in ["", "x", "xy"] {
        let header = base64(format!("{{\"password\":\"{pad}{password}\"}}").as_bytes());
        assert!(
            forms(&password).iter().skip(1).any(|f| header.contains(f)),
            "{pad:?}"
        );
    }

    let traced = log.lock().unwrap().clone();
    assert!(
        traced.contains("docker request"),
        "the subscriber saw the crate's events: {traced}"
    );
    let everything = format!("{seen}\n{traced}");
    let mut secrets = vec![
        password.clone(),
        token.clone(),
        host_password.clone(),
        helper_secret.clone(),
        inline_secret.clone(),
        key_line.clone(),
    ];
    secrets.extend([wrong.header_value(), tok.header_value()]);
    for secret in &secrets {
        for form in forms(secret) {
            assert!(
                !everything.contains(&form),
                "{form:?} (a form of a planted secret) leaked:\n{everything}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
