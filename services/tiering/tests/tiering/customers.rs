//! The customers the scenarios need: who they are (tenure, key person, line status) and what
//! they spend, so their data scores a chosen tier under the default policy.

use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile;
use vipcare_runtime::Caller;
use vipcare_tiering::domain::Period;

use crate::harness::{Suite, as_caller};

/// Who a new customer is, for the score: tenure, key-person flag and line status.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub joined: (i32, i32, i32),
    pub key_person: bool,
    pub status: profile::CustomerStatus,
}

impl Person {
    /// On the network since 2016: full tenure points, no churn signal from tenure.
    pub fn veteran() -> Person {
        Person {
            joined: (2016, 1, 10),
            key_person: false,
            status: profile::CustomerStatus::Active,
        }
    }

    /// Joined in January 2025: 16 months as of 2026-06, a short tenure for churn.
    pub fn newcomer() -> Person {
        Person {
            joined: (2025, 1, 10),
            ..Person::veteran()
        }
    }

    pub fn key_person(self) -> Person {
        Person {
            key_person: true,
            ..self
        }
    }

    pub fn suspended(self) -> Person {
        Person {
            status: profile::CustomerStatus::Suspended,
            ..self
        }
    }
}

/// `n` periods from `first` on.
pub fn months(first: &str, n: usize) -> Vec<String> {
    let mut period = Period::parse(first).expect("a valid period");
    let mut all = Vec::new();
    for _ in 0..n {
        all.push(period.to_string());
        period = period.next();
    }
    all
}

impl Suite {
    /// Creates a customer with a fresh number; returns it unmasked (id, msisdn, etag).
    pub async fn create(&mut self, person: Person) -> profile::Customer {
        self.numbers += 1;
        let (year, month, day) = person.joined;
        let customer = profile::Customer {
            msisdn: format!("139{:08}", self.numbers),
            name: "李秀英".into(),
            gender: profile::Gender::Female as i32,
            contact_preferences: Some(profile::ContactPreferences {
                preferred_channels: vec![common::ContactChannel::Sms as i32],
                quiet_hours: None,
                opted_out_touchpoints: Vec::new(),
            }),
            group: person.key_person.then(|| profile::GroupMembership {
                group_id: "g-1".into(),
                name: "Acme".into(),
                key_person: true,
            }),
            network_joined_on: Some(common::Date { year, month, day }),
            status: person.status as i32,
            ..Default::default()
        };
        let request = profile::CreateCustomerRequest {
            customer: Some(customer),
            request_id: String::new(),
        };
        let clerk = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
        self.profile
            .create_customer(as_caller(&clerk, request))
            .await
            .unwrap_or_else(|s| panic!("[{}] create customer: {s:?}", self.label))
            .into_inner()
            .customer
            .unwrap()
    }

    /// Records `spend_fen` for each of `periods`.
    pub async fn spend(&mut self, id: &str, periods: &[String], spend_fen: i64) {
        for period in periods {
            let request = profile::RecordConsumptionRequest {
                customer_id: id.into(),
                period: period.clone(),
                spend_fen,
                data_mb: 2048,
                voice_minutes: 300,
                roaming_fen: 0,
                vas_fen: 0,
            };
            self.profile
                .record_consumption(request)
                .await
                .unwrap_or_else(|s| panic!("[{}] record {period}: {s:?}", self.label));
        }
    }

    /// A customer whose data scores `tier` as of 2026-06 under the default policy (not evaluated
    /// yet): STANDARD a newcomer without spend (12.94); the others veterans with a bill in every
    /// month of the year to 2026-05 — SILVER ¥50 (43.14), GOLD ¥150 (58.82), PLATINUM ¥250 (74.51) and DIAMOND ¥300
    /// as a group key person (89.41).
    pub async fn customer_scoring(&mut self, tier: &str) -> profile::Customer {
        let (person, spend) = match tier {
            "STANDARD" => (Person::newcomer(), 0),
            "SILVER" => (Person::veteran(), 5_000),
            "GOLD" => (Person::veteran(), 15_000),
            "PLATINUM" => (Person::veteran(), 25_000),
            "DIAMOND" => (Person::veteran().key_person(), 30_000),
            other => panic!("no recipe for {other}"),
        };
        let customer = self.create(person).await;
        if spend > 0 {
            self.spend(&customer.customer_id, &months("2025-06", 12), spend)
                .await;
        }
        customer
    }
}
