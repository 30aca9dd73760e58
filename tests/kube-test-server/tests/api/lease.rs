//! Lease get/create/replace, as leader election uses them.

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use kube::api::{Api, ObjectMeta, PostParams};
use kube_test_server::TestApiServer;

use crate::support::{api_code, client};

#[tokio::test]
async fn stale_lease_replace_conflicts() {
    let server = TestApiServer::start().await;
    let api: Api<Lease> = Api::namespaced(client(&server), "kube-system");
    assert_eq!(api_code(api.get("trellis").await), 404);
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some("trellis".into()),
            ..ObjectMeta::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some("a".into()),
            lease_duration_seconds: Some(15),
            ..LeaseSpec::default()
        }),
    };
    let created = api.create(&PostParams::default(), &lease).await.unwrap();
    assert_eq!(
        api_code(api.create(&PostParams::default(), &lease).await),
        409
    );

    let mut taken = created.clone();
    taken.spec.as_mut().unwrap().holder_identity = Some("b".into());
    let replaced = api
        .replace("trellis", &PostParams::default(), &taken)
        .await
        .unwrap();
    assert_eq!(replaced.spec.unwrap().holder_identity.as_deref(), Some("b"));

    let mut stale = created;
    stale.spec.as_mut().unwrap().holder_identity = Some("c".into());
    match api.replace("trellis", &PostParams::default(), &stale).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!((status.code, status.reason.as_str()), (409, "Conflict"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let holder = api
        .get("trellis")
        .await
        .unwrap()
        .spec
        .unwrap()
        .holder_identity;
    assert_eq!(holder.as_deref(), Some("b"));
}
