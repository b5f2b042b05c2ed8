//! The images collection: list, get, tag, history, build, import, save and load, pull and
//! push against the loopback registry with htpasswd auth.

use std::time::Duration;

use docker_engine::auth::RegistryAuth;
use docker_engine::{Error, Images};
use futures_util::StreamExt;

use crate::common::{LABEL, docker, engine, is_podman, reported, unique};

fn images() -> Images {
    docker().images()
}

fn registry_auth() -> RegistryAuth {
    let e = engine();
    RegistryAuth::basic(e.registry_user, e.registry_password).server(e.registry)
}

#[tokio::test]
async fn list_get_tag_history_remove() {
    let e = engine();
    let listed = images().list().reference(&e.image).send().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].tags().contains(&reported(&e.image)));
    let image = listed[0].get().await.unwrap();
    assert_eq!(image.id(), listed[0].id());
    assert_eq!(image.short_id().len(), 12);
    let repo = unique("tagged");
    image.tag(format!("{repo}:t1")).await.unwrap();
    let mut again = images().get(format!("{repo}:t1")).await.unwrap();
    assert_eq!(again.id(), image.id());
    again.reload().await.unwrap();
    assert!(again.tags().contains(&reported(&format!("{repo}:t1"))));
    assert!(!image.history().await.unwrap().is_empty());
    let removed = images().remove(format!("{repo}:t1")).send().await.unwrap();
    assert!(
        removed
            .iter()
            .any(|r| r.untagged.as_deref() == Some(&reported(&format!("{repo}:t1"))))
    );
    let err = images().get(format!("{repo}:t1")).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

fn write(dir: &std::path::Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[tokio::test]
async fn build_from_a_directory_honours_dockerignore() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let dir = std::env::temp_dir().join(unique("ctx"));
    write(
        &dir,
        "Dockerfile",
        &format!(
            "FROM {}\nARG GREETING\nCOPY . /ctx/\nRUN echo \"$GREETING\" > /greeting\nLABEL stage=final\n",
            e.image
        ),
    );
    write(
        &dir,
        ".dockerignore",
        "Dockerfile\nsecret.txt\nlogs\n!logs/keep.log\n**/*.tmp\n",
    );
    write(&dir, "app.txt", "app\n");
    write(&dir, "secret.txt", "nope\n");
    write(&dir, "logs/a.log", "a\n");
    write(&dir, "logs/keep.log", "keep\n");
    write(&dir, "deep/x.tmp", "tmp\n");
    write(&dir, "deep/y.txt", "y\n");
    // Longer than a tar header's 100-byte name field: sent as a GNU long name.
    let long = format!("deep/{}/long.txt", "n".repeat(120));
    write(&dir, &long, "long\n");
    let tag = format!("{}:built", unique("build"));
    let mut lines = Vec::new();
    let mut stream = images()
        .build(&dir)
        .tag(&tag)
        .build_arg("GREETING", "hello build")
        .label(LABEL, scope.value())
        .label("dei.build", "yes")
        .stream();
    while let Some(item) = stream.next().await {
        let item = item.unwrap();
        lines.extend(item.stream);
    }
    // Podman builds with buildah, which numbers its steps `STEP 1/5: FROM ...`.
    let step = if is_podman() { "STEP 1/" } else { "Step 1/" };
    assert!(
        lines.iter().any(|l| l.contains(step)),
        "build output streams the steps: {lines:?}"
    );
    let image = images().get(&tag).await.unwrap();
    assert_eq!(
        image.labels().get("dei.build").map(String::as_str),
        Some("yes")
    );
    let c = docker()
        .containers()
        .create(&tag)
        .label(LABEL, scope.value())
        .cmd([
            "sh",
            "-c",
            "cat /greeting; cd /ctx && find . -type f | sort",
        ])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    c.wait().await.unwrap();
    let (out, _) = c.logs().stream().collect_output().await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out),
        format!(
            "hello build\n./.dockerignore\n./app.txt\n./{long}\n./deep/y.txt\n./logs/keep.log\n"
        ),
        "the docker CLI's semantics: excluded files absent, the exception present; \
         the Dockerfile and .dockerignore are sent, and the classic builder drops the Dockerfile"
    );
    c.remove().force(true).volumes(true).send().await.unwrap();

    // The same context through `send()`: the image comes back.
    let built = images()
        .build(&dir)
        .tag(&tag)
        .build_arg("GREETING", "hello build")
        .label(LABEL, scope.value())
        .label("dei.build", "yes")
        .send()
        .await
        .unwrap();
    if is_podman() {
        // Buildah turns the `labels` map into LABEL steps in Go's map order, which varies
        // between builds: with two labels a rebuild may miss the cache at the end. What it
        // builds is the same.
        assert_eq!(built.labels(), image.labels());
    } else {
        assert_eq!(built.id(), image.id(), "cached rebuild is the same image");
    }
    images().remove(&tag).force(true).send().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_failing_build_step_is_an_error_with_its_message() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let dir = std::env::temp_dir().join(unique("ctx-fail"));
    write(
        &dir,
        "Dockerfile",
        &format!("FROM {}\nRUN echo step-output && exit 42\n", e.image),
    );
    let err = images()
        .build(&dir)
        .label(LABEL, scope.value())
        .force_rm(true)
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Stream { message: m, .. } => assert!(m.contains("42"), "the step's message: {m}"),
        other => panic!("expected a stream error, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let missing = images().build("/no/such/context").send().await.unwrap_err();
    assert!(
        matches!(&missing, Error::InvalidArgument(m) if m.contains("/no/such/context")),
        "{missing:?}"
    );
}

#[tokio::test]
async fn save_load_and_import() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let repo = unique("saved");
    crate::common::tag_fixture(format!("{repo}:v1")).await;
    let tar: Vec<u8> = images()
        .save([format!("{repo}:v1")])
        .map(|b| b.unwrap().to_vec())
        .concat()
        .await;
    assert!(tar.len() > 1 << 20);
    images().remove(format!("{repo}:v1")).send().await.unwrap();
    let body =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes::Bytes::from(tar)) });
    let mut progress = images().load(body);
    let mut said = String::new();
    while let Some(item) = progress.next().await {
        let item = item.unwrap();
        said.push_str(&item.stream.unwrap_or_default());
    }
    assert!(
        said.contains(&format!("{repo}:v1")),
        "load reports the image: {said:?}"
    );
    images().get(format!("{repo}:v1")).await.unwrap();
    images().remove(format!("{repo}:v1")).send().await.unwrap();

    // Import a root filesystem taken from a container's export.
    let c = docker()
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    let rootfs: Vec<u8> = c.export().map(|b| b.unwrap().to_vec()).concat().await;
    c.remove().force(true).volumes(true).send().await.unwrap();
    let body =
        futures_util::stream::once(
            async move { Ok::<_, std::io::Error>(bytes::Bytes::from(rootfs)) },
        );
    let imported = unique("imported");
    let mut progress = images().import(body, format!("{imported}:v2"));
    while let Some(item) = progress.next().await {
        item.unwrap();
    }
    let image = images().get(format!("{imported}:v2")).await.unwrap();
    assert!(image.id().starts_with("sha256:"));
    images()
        .remove(format!("{imported}:v2"))
        .force(true)
        .send()
        .await
        .unwrap();
}

/// `JsonStream::decode_as`: the daemon's push lines read as JSON keep what the spec's push
/// item has no field for. On Docker every layer of the image has its line (its id is the
/// short form of the layer's diff id) ending `Pushed`, `Layer already exists` or `Mounted
/// from ...`, and the last line's `aux` names the manifest's digest.
#[tokio::test]
async fn push_progress_lines_carry_their_layer_ids() {
    let name = format!("{}/{}", engine().registry, unique("ids"));
    let reference = format!("{name}:t1");
    crate::common::tag_fixture(reference.clone()).await;
    let image = images().get(&reference).await.unwrap();
    let layers: Vec<String> = image.attrs_json()["RootFS"]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().trim_start_matches("sha256:")[..12].to_string())
        .collect();
    let mut push = images()
        .push(&reference)
        .auth(registry_auth())
        .stream()
        .decode_as::<serde_json::Value>();
    let mut lines = Vec::new();
    while let Some(line) = tokio::time::timeout(Duration::from_secs(60), push.next())
        .await
        .unwrap()
    {
        lines.push(line.unwrap());
    }
    images().remove(&reference).send().await.unwrap();
    if is_podman() {
        // Podman's push lines are statuses only: no layer ids, no `aux`; the digest comes
        // in a `TAG: digest: DIGEST size: N` status (README, "Known differences on Podman").
        assert!(
            lines
                .iter()
                .all(|l| l.get("id").is_none() && l.get("aux").is_none()),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l["status"]
                .as_str()
                .is_some_and(|s| s.starts_with("t1: digest: sha256:"))),
            "{lines:#?}"
        );
        return;
    }
    for layer in &layers {
        let last = lines
            .iter()
            .filter(|l| l["id"] == layer.as_str())
            .map(|l| l["status"].as_str().unwrap())
            .next_back();
        // A layer the registry holds under another name is mounted, not sent again.
        assert!(
            matches!(last, Some(s) if s == "Pushed" || s == "Layer already exists" || s.starts_with("Mounted from ")),
            "layer {layer}: {last:?} in {lines:#?}"
        );
    }
    let digest = lines.last().unwrap()["aux"]["Digest"].as_str().unwrap();
    assert!(digest.starts_with("sha256:"), "{lines:#?}");
}

#[tokio::test]
async fn push_remove_and_pull_back_through_the_authenticated_registry() {
    let e = engine();
    let name = format!("{}/{}", e.registry, unique("pushed"));
    let reference = format!("{name}:t1");
    crate::common::tag_fixture(format!("{name}:t1")).await;
    let mut statuses = Vec::new();
    let mut push = images().push(&reference).auth(registry_auth()).stream();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(60), push.next())
        .await
        .unwrap()
    {
        statuses.extend(item.unwrap().status);
    }
    assert!(
        statuses
            .iter()
            .any(|s| s.contains("digest") || s.contains("Pushed") || s.contains("exists")),
        "{statuses:?}"
    );
    images().remove(&reference).send().await.unwrap();
    assert!(matches!(
        images().get(&reference).await,
        Err(Error::NotFound { .. })
    ));
    let pulled = images()
        .pull(&reference)
        .auth(registry_auth())
        .send()
        .await
        .unwrap();
    assert!(pulled.tags().contains(&reference));
    images().remove(&reference).send().await.unwrap();

    // The wrong password: a typed error carrying the registry's words.
    let wrong =
        RegistryAuth::basic(e.registry_user.clone(), "wrong-password").server(e.registry.clone());
    let err = images()
        .pull(&reference)
        .auth(wrong.clone())
        .send()
        .await
        .unwrap_err();
    let text = err.to_string().to_lowercase();
    assert!(
        text.contains("unauthorized") || text.contains("authentication"),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains("wrong-password"));
    crate::common::tag_fixture(format!("{name}:t2")).await;
    let err = images()
        .push(format!("{name}:t2"))
        .auth(wrong)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("auth"), "{err:?}");
    images().remove(format!("{name}:t2")).send().await.unwrap();

    // A tag that does not exist: a typed error, not a hang.
    let err = tokio::time::timeout(
        Duration::from_secs(60),
        images()
            .pull(format!("{name}:no-such-tag"))
            .auth(registry_auth())
            .send(),
    )
    .await
    .expect("no hang")
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound { .. } | Error::Stream { .. } | Error::Api { .. }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn prune_removes_dangling_images_only() {
    let r = images()
        .prune()
        .label(format!("{LABEL}.never-set={}", unique("x")))
        .send()
        .await
        .unwrap();
    assert!(r.images_deleted.unwrap_or_default().is_empty());
}
