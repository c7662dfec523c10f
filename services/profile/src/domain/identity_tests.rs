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
fn resident_id_numbers_must_carry_their_check_digit() {
    let card = |number: &str| IdDocument::new(IdDocumentType::ResidentIdCard, number);
    // The example of GB 11643, and one whose check digit is a digit.
    assert_eq!(
        card("11010519491231002X").unwrap().number(),
        "11010519491231002X"
    );
    assert_eq!(
        card("110105198006150026").unwrap().number(),
        "110105198006150026"
    );
    assert_eq!(
        card("11010519491231002x").unwrap().number(),
        "11010519491231002X",
        "a lowercase x is stored as X"
    );
    for bad in [
        "110105194912310021",  // wrong check digit
        "11010519491231003X",  // one digit mistyped
        "11010519491231002",   // 17 characters
        "11010519491231002XX", // 19 characters
        "1101051949123100AX",  // a letter in the body
        "11010519491231002Y",
        "１１０１０５１９４９１２３１００２Ｘ", // full-width digits
    ] {
        let err = card(bad).unwrap_err();
        assert!(
            !err.0.contains(bad),
            "the refusal repeats the number: {err}"
        );
    }
    // Other documents keep their own rules.
    assert!(IdDocument::new(IdDocumentType::Passport, "110105194912310021").is_ok());
}

#[test]
fn names_refuse_control_and_bidirectional_formatting_characters() {
    for bad in [
        "张\u{202E}三",
        "\u{2066}Ada\u{2069}",
        "Ada\u{200F}",
        "Ada\u{200E}",
        "\u{061C}ali",
        "a\u{7}b",
        "a\u{85}b",
    ] {
        assert!(CustomerName::parse(bad).is_err(), "{bad:?} accepted");
        assert!(bounded_text(bad, 64).is_err(), "{bad:?} accepted");
    }
    // Other format characters (a zero-width joiner in an emoji name) are not bidi controls.
    assert!(CustomerName::parse("Ada\u{200D}Lovelace").is_ok());
}

#[test]
fn id_document_numbers_are_short_and_plain() {
    assert!(IdDocument::new(IdDocumentType::Passport, &"1".repeat(33)).is_err());
    assert!(IdDocument::new(IdDocumentType::Passport, "").is_err());
    assert!(IdDocument::new(IdDocumentType::Passport, "E 123").is_err());
}
