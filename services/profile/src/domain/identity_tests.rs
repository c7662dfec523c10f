use super::*;

#[test]
fn msisdn_accepts_mainland_mobiles_only() {
    assert!(Msisdn::parse("13800138000").is_ok());
    assert!(Msisdn::parse("19912345678").is_ok());
    for bad in [
        "",
        "12800138000",
        "1380013800",
        "138001380000",
        "1380013800a",
        "+8613800138000",
    ] {
        assert!(Msisdn::parse(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn names_count_characters_not_bytes() {
    let sixty_four = "张".repeat(64);
    assert!(CustomerName::parse(&sixty_four).is_ok());
    assert!(CustomerName::parse(&"张".repeat(65)).is_err());
    assert!(CustomerName::parse("").is_err());
    assert!(CustomerName::parse("   ").is_err());
    assert!(CustomerName::parse("张**").is_err());
    assert!(CustomerName::parse("a\nb").is_err());
}

#[test]
fn language_tags_allow_dialects_and_canonicalise_case() {
    assert_eq!(LanguageTag::parse("yue").unwrap().as_str(), "yue");
    assert_eq!(LanguageTag::parse("zh-cn").unwrap().as_str(), "zh-CN");
    assert_eq!(
        LanguageTag::parse("ZH-hant-hk").unwrap().as_str(),
        "zh-Hant-HK"
    );
    assert_eq!(LanguageTag::parse("en").unwrap().as_str(), "en");
    for bad in [
        "",
        "z",
        "chinese",
        "zh_CN",
        "zh-",
        "zh--CN",
        "zh-toolongsubtag",
        &"a".repeat(36),
    ] {
        assert!(LanguageTag::parse(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn region_codes_are_six_digits() {
    assert!(RegionCode::parse("440100").is_ok());
    assert!(RegionCode::parse("44010").is_err());
    assert!(RegionCode::parse("44010a").is_err());
}

#[test]
fn customer_ids_are_canonical_uuids_in_creation_order() {
    let a = CustomerId::generate();
    let b = CustomerId::generate();
    assert!(a < b, "uuid v7 text order is creation order");
    assert_eq!(CustomerId::parse(a.as_str()), Ok(a.clone()));
    assert!(CustomerId::parse(&a.as_str().to_uppercase()).is_err());
    assert!(CustomerId::parse("42").is_err());
    assert!(CustomerId::parse("").is_err());
}

#[test]
fn id_document_numbers_are_short_and_plain() {
    assert!(IdDocument::new(IdDocumentType::ResidentIdCard, "11010519491231002X").is_ok());
    assert!(IdDocument::new(IdDocumentType::Passport, &"1".repeat(33)).is_err());
    assert!(IdDocument::new(IdDocumentType::Passport, "").is_err());
    assert!(IdDocument::new(IdDocumentType::Passport, "E 123").is_err());
}
