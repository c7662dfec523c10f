use chrono::TimeZone;

use super::*;

pub(crate) fn sample_profile() -> CustomerProfile {
    CustomerProfile {
        msisdn: Some(Msisdn::parse("13800138000").unwrap()),
        name: CustomerName::parse("张三丰").unwrap(),
        gender: Gender::Male,
        birth_date: NaiveDate::from_ymd_opt(1980, 6, 15),
        region_code: Some(RegionCode::parse("440100").unwrap()),
        preferred_language: Some(LanguageTag::parse("yue").unwrap()),
        occupation: "engineer".into(),
        interests: vec!["car club".into()],
        contact: ContactPreferences::default(),
        account_manager_id: "am-1".into(),
        group: GroupMembership::new("g-1", "Acme", true).unwrap(),
        plan_code: "P188".into(),
        network_joined_on: NaiveDate::from_ymd_opt(2010, 1, 31),
        status: CustomerStatus::Active,
        id_document: Some(
            IdDocument::new(
                crate::domain::IdDocumentType::ResidentIdCard,
                "11010519800615019X",
            )
            .unwrap(),
        ),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap()
}

#[test]
fn updates_bump_the_version_and_so_the_etag() {
    let mut c = Customer::create(sample_profile(), now());
    let before = c.etag();
    c.apply(vec![ProfileChange::Occupation("teacher".into())], now())
        .unwrap();
    assert_ne!(c.etag(), before);
    assert_eq!(c.profile.occupation, "teacher");
}

#[test]
fn repeated_channels_in_an_update_name_the_path() {
    let mut c = Customer::create(sample_profile(), now());
    let err = c
        .apply(
            vec![ProfileChange::PreferredChannels(vec![
                ContactChannel::Sms,
                ContactChannel::Sms,
            ])],
            now(),
        )
        .unwrap_err();
    assert_eq!(err.field, "contact_preferences.preferred_channels");
}

#[test]
fn erasure_anonymises_personal_fields_and_keeps_aggregates() {
    let mut c = Customer::create(sample_profile(), now());
    assert!(c.erase(now()));
    let p = &c.profile;
    assert_eq!(p.msisdn, None);
    assert_eq!(p.name.as_str(), "已注销");
    assert_eq!(p.birth_date, None);
    assert_eq!(p.id_document, None);
    assert!(p.occupation.is_empty() && p.interests.is_empty());
    let group = p.group.as_ref().unwrap();
    assert_eq!(
        (group.group_id(), group.name.as_str(), group.key_person),
        ("g-1", "", true)
    );
    assert_eq!(p.plan_code, "P188");
    assert_eq!(p.network_joined_on, NaiveDate::from_ymd_opt(2010, 1, 31));
    assert_eq!(c.erase_time, Some(now()));
    let version = c.version;
    assert!(!c.erase(now()), "erasing twice is a no-op");
    assert_eq!(c.version, version);
}

#[test]
fn dates_must_not_be_in_the_future() {
    let today = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    let mut p = sample_profile();
    assert!(p.check_dates(today).is_ok());
    p.birth_date = NaiveDate::from_ymd_opt(2024, 5, 2);
    assert_eq!(p.check_dates(today).unwrap_err().field, "birth_date");
    p.birth_date = None;
    p.network_joined_on = NaiveDate::from_ymd_opt(2025, 1, 1);
    assert_eq!(p.check_dates(today).unwrap_err().field, "network_joined_on");
}

#[test]
fn interests_are_bounded() {
    let ok: Vec<String> = (0..20).map(|i| format!("i{i}")).collect();
    assert!(CustomerProfile::interests(&ok).is_ok());
    let too_many: Vec<String> = (0..21).map(|i| format!("i{i}")).collect();
    assert!(CustomerProfile::interests(&too_many).is_err());
    assert!(CustomerProfile::interests(&["x".repeat(33)]).is_err());
    assert!(CustomerProfile::interests(&["golf".into(), "golf".into()]).is_err());
    assert!(CustomerProfile::interests(&[String::new()]).is_err());
}

#[test]
fn a_group_needs_an_id() {
    assert_eq!(GroupMembership::new("", "", false), Ok(None));
    assert_eq!(
        GroupMembership::new("", "Acme", false).unwrap_err().field,
        "group_id"
    );
    assert_eq!(
        GroupMembership::new("", "", true).unwrap_err().field,
        "group_id"
    );
}
