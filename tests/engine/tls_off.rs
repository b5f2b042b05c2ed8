//! A build without the `tls` feature refuses a TLS host, naming the feature, before
//! anything is sent. (The TLS tests themselves run with `--features tls`.)

use docker_engine::{Docker, Error};

use crate::common::engine;

#[test]
fn a_tls_host_without_the_feature_is_refused_naming_it() {
    let e = engine();
    let r = Docker::builder()
        .host(&e.tls_host)
        .cert_path(&e.certs)
        .unwrap()
        .build();
    match r {
        Err(Error::TlsConfig { message, .. }) => {
            assert!(message.contains("`tls` feature"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
