//! The path guard: a request's path must have exactly its operation's shape.

/// Refuse a request whose path is not the shape of its operation's template. Path
/// parameters are percent-encoded, but a parameter that is exactly `.` or `..` is a dot
/// segment that URL parsing resolves away (`/containers/./json` becomes the list endpoint);
/// nothing a caller passes may reach another endpoint.
pub(super) fn check(operation_id: &str, path: &str) -> std::result::Result<(), String> {
    let Some(template) = crate::operations::path_of(operation_id) else {
        return Err(format!("unknown operation {operation_id}"));
    };
    let want = template.split('/');
    let mut got = path.split('/');
    let fits = want.clone().count() == path.split('/').count()
        && want.zip(&mut got).all(|(w, g)| {
            if w.starts_with('{') {
                !g.is_empty()
            } else {
                w == g
            }
        });
    if !fits {
        return Err(format!(
            "a path parameter of {operation_id} changed the request path to {path:?} (template {template}): ids and names cannot be empty, \".\" or \"..\""
        ));
    }
    // The daemon decodes each segment before it routes (`%2F` is a `/` to it) and answers
    // a path with dot segments with a redirect elsewhere: a parameter that decodes to such
    // a path is refused here.
    for (w, g) in template.split('/').zip(path.split('/')) {
        if w.starts_with('{') {
            let decoded = percent_encoding::percent_decode_str(g).decode_utf8_lossy();
            if decoded
                .split(['/', '\\'])
                .any(|part| part == "." || part == "..")
            {
                return Err(format!(
                    "the {w} of {operation_id} has a \".\" or \"..\" path segment ({decoded:?}): it would reach another endpoint"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check as guard_path;

    #[test]
    fn path_guard_refuses_dot_segments_and_accepts_encoded_names() {
        assert!(guard_path("container_inspect", "/containers/abc/json").is_ok());
        assert!(
            guard_path("container_inspect", "/containers/json").is_err(),
            "`.` resolved away"
        );
        assert!(
            guard_path("container_inspect", "/json").is_err(),
            "`..` resolved away"
        );
        assert!(
            guard_path("container_inspect", "/containers//json").is_err(),
            "empty id"
        );
        assert!(guard_path("container_list", "/containers/json").is_ok());
        // Encoded slashes are decoded by the daemon: dot segments behind them are refused.
        assert!(
            guard_path(
                "container_inspect",
                "/containers/..%2F..%2Fimages%2Fjson/json"
            )
            .is_err()
        );
        assert!(guard_path("container_inspect", "/containers/a%5C..%5Cb/json").is_err());
        let encoded = crate::transport::encode_segment("x\\..\\victim");
        assert_eq!(encoded, "x%5C..%5Cvictim");
        assert!(guard_path("container_inspect", &format!("/containers/{encoded}/json")).is_err());
        assert_eq!(
            crate::transport::encode_segment("a/b?c#d%e f:g@h"),
            "a%2Fb%3Fc%23d%25e%20f%3Ag%40h"
        );
        assert!(guard_path("image_inspect", "/images/127.0.0.1:5000%2Fx%2Fy/json").is_ok());
        assert!(guard_path("container_inspect", "/containers/..%252f..%252fimages/json").is_ok());
    }
}
