//! The directory over the real profile and tiering (started in-process): the customer's channel
//! order, quiet hours, opt-outs and tier as the dispatcher reads them, one customer or a round's
//! at once, a change in the profile seen on the next read, and a profile that is down reported
//! as such.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveTime;
use prost_types::FieldMask;
use tokio::sync::oneshot;
use tonic::Request;
use vipcare_domain::FixedClock;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_reminder::domain::{ContactChannel, Touchpoint};
use vipcare_reminder::upstream::{CustomerDirectory, ProfileDirectory, UpstreamError};
use vipcare_runtime::Caller;
use vipcare_testkit::{TestEnv, wait_serving};

use crate::harness::{MORNING, t};

fn clock_time(hours: i32, minutes: i32) -> Option<common::ClockTime> {
    Some(common::ClockTime { hours, minutes })
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a time of day")
}

/// Staff who may create and change customers.
fn staff<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    let caller = Caller::new(
        "hall-7",
        "hall",
        &["customer:read", "customer:write", "pii:read"],
    );
    caller.write_to(request.metadata_mut());
    request
}

#[tokio::test]
async fn the_directory_reads_preferences_and_tier_and_sees_changes_at_once() {
    for env in TestEnv::all().await {
        let label = env.label;
        let clock = Arc::new(FixedClock(t(MORNING)));
        let cache = env.cache().await;
        let profile_app =
            vipcare_profile::App::build_with_clock(&env.settings(), cache.clone(), clock.clone())
                .await
                .expect("the profile starts");
        let profile_addr = profile_app.local_addr();
        let tiering_app = vipcare_tiering::App::build_with_clock(
            &env.settings_with(&format!(
                "[services]\nprofile = \"http://{profile_addr}\"\n"
            )),
            cache.clone(),
            clock.clone(),
        )
        .await
        .expect("tiering starts");
        let tiering_addr = tiering_app.local_addr();
        let (stop_profile, profile_stopped) = oneshot::channel::<()>();
        let (_stop_tiering, tiering_stopped) = oneshot::channel::<()>();
        let profile_run = tokio::spawn(profile_app.run(async {
            let _ = profile_stopped.await;
        }));
        tokio::spawn(tiering_app.run(async {
            let _ = tiering_stopped.await;
        }));
        wait_serving(profile_addr, vipcare_proto::service_names::PROFILE).await;
        wait_serving(tiering_addr, vipcare_proto::service_names::TIERING).await;

        let mut profiles = ProfileServiceClient::new(env.internal_channel(profile_addr));
        let created = profiles
            .create_customer(staff(profile::CreateCustomerRequest {
                customer: Some(profile::Customer {
                    msisdn: "13800138001".into(),
                    name: "王建国".into(),
                    gender: profile::Gender::Male as i32,
                    account_manager_id: "am-7".into(),
                    contact_preferences: Some(profile::ContactPreferences {
                        preferred_channels: vec![
                            common::ContactChannel::AppPush as i32,
                            common::ContactChannel::Sms as i32,
                        ],
                        quiet_hours: Some(common::QuietHours {
                            start: clock_time(21, 30),
                            end: clock_time(7, 0),
                            time_zone: "Asia/Shanghai".into(),
                        }),
                        opted_out_touchpoints: vec![common::Touchpoint::Care as i32],
                    }),
                    status: profile::CustomerStatus::Active as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            }))
            .await
            .expect("the customer is created")
            .into_inner()
            .customer
            .expect("a customer");
        let id = created.customer_id.clone();

        let directory = ProfileDirectory::connect_lazy(
            &format!("http://{profile_addr}"),
            &format!("http://{tiering_addr}"),
            &env.internal_credential(),
        )
        .expect("valid peer URLs");
        let contact = directory
            .contact(&id)
            .await
            .unwrap()
            .expect("a known customer");
        assert_eq!(
            contact.channels,
            [ContactChannel::AppPush, ContactChannel::Sms],
            "{label}"
        );
        assert_eq!(contact.opted_out, [Touchpoint::Care], "{label}");
        assert_eq!(
            (contact.quiet_hours.start(), contact.quiet_hours.end()),
            (hm(21, 30), hm(7, 0))
        );
        assert_eq!(contact.account_manager_id.as_deref(), Some("am-7"));
        assert!(!contact.tier.is_empty(), "{label}: tiering answers a tier");
        // Read as the reminder service: masked, so no number and no full name.
        assert_eq!(contact.msisdn, None, "{label}");
        assert_ne!(contact.name, "王建国", "{label}");

        // A schedule check asks the profile alone: the same customer, the tier not asked.
        let checked = directory.customer(&id).await.unwrap().expect("known");
        assert_eq!(
            checked,
            vipcare_reminder::upstream::Contact {
                tier: String::new(),
                ..contact.clone()
            },
            "{label}"
        );

        // The customer moves to Paris hours: the next read sees it.
        let mut changed = created.clone();
        changed.contact_preferences = Some(profile::ContactPreferences {
            quiet_hours: Some(common::QuietHours {
                start: clock_time(23, 0),
                end: clock_time(9, 0),
                time_zone: "Europe/Paris".into(),
            }),
            ..created.contact_preferences.clone().unwrap_or_default()
        });
        profiles
            .update_customer(staff(profile::UpdateCustomerRequest {
                customer: Some(changed),
                update_mask: Some(FieldMask {
                    paths: vec!["contact_preferences.quiet_hours".into()],
                }),
            }))
            .await
            .expect("the preferences change");
        let contact = directory.contact(&id).await.unwrap().expect("still known");
        assert_eq!(contact.quiet_hours.start(), hm(23, 0), "{label}");
        assert_eq!(contact.quiet_hours.home_zone(), chrono_tz::Europe::Paris);

        let unknown = "0192f0c8-7d8e-7000-8000-00000000dead";
        assert_eq!(directory.contact(unknown).await.unwrap(), None, "{label}");

        // A round's customers in one go: the known ones, whatever else is asked with them (an
        // id the profile refuses does not hold the others back).
        let round = [unknown, id.as_str(), "not a profile id"];
        let found = directory.contacts(&round).await.unwrap();
        assert_eq!(found.len(), 1, "{label}: {found:?}");
        assert_eq!(found[&id], contact, "{label}: as one customer is read");

        // The profile goes down: the customer cannot be read, and says so.
        drop(stop_profile);
        let _ = tokio::time::timeout(Duration::from_secs(30), profile_run).await;
        let down = directory
            .contact("0192f0c8-7d8e-7000-8000-00000000beef")
            .await;
        assert!(
            matches!(down, Err(UpstreamError::Unavailable { .. })),
            "{label}: {down:?}"
        );
    }
}
