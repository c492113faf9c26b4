//! The basic fixture: a province with two agencies and a commune, and a user of every role.
//! Units: `UA` (agency A, own unit of the unit staff), `UB` (agency B), `XC` (commune C).
//! Users (password `PASSWORD`): admin, secretariat, appraiser, council, viewer,
//! officer.a / leader.a (unit UA), officer.b (unit UB).

use parindex_core::Role;
use parindex_core::unit::UnitInput;
use parindex_store::repo::users::NewUser;
use parindex_store::{AuditCtx, Store};

pub const PASSWORD: &str = "mat-khau-thu-nghiem";

pub const USERS: &[(&str, Role, Option<&str>)] = &[
    ("admin", Role::Admin, None),
    ("secretariat", Role::Secretariat, None),
    ("appraiser", Role::Appraiser, None),
    ("council", Role::Council, None),
    ("viewer", Role::Viewer, None),
    ("officer.a", Role::UnitOfficer, Some("UA")),
    ("leader.a", Role::UnitLeader, Some("UA")),
    ("officer.b", Role::UnitOfficer, Some("UB")),
];

pub fn unit(code: &str, name: &str, kind: &str) -> UnitInput {
    UnitInput { code: code.into(), name: name.into(), kind: kind.into(), ..Default::default() }
}

pub async fn seed(store: &Store) {
    let ctx = AuditCtx::system("fixture");
    for (code, name, kind) in [("UA", "Sở Alpha", "agency"), ("UB", "Sở Bêta", "agency"), ("XC", "UBND xã Chiềng Cọ", "commune")]
    {
        store.create_unit(&ctx, unit(code, name, kind)).await.expect("fixture unit");
    }
    for (username, role, unit) in USERS {
        let unit_id = match unit {
            Some(c) => store.unit_id_by_code(c).await.expect("lookup"),
            None => None,
        };
        store
            .create_user(
                &ctx,
                NewUser {
                    username: (*username).into(),
                    full_name: format!("Người dùng {username}"),
                    email: None,
                    phone: None,
                    role: *role,
                    unit_id,
                    password: PASSWORD.into(),
                },
            )
            .await
            .expect("fixture user");
    }
}
