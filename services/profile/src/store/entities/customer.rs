use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: String,
    #[sea_orm(unique)]
    pub msisdn: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<Date>,
    pub region_code: String,
    pub preferred_language: String,
    pub occupation: String,
    pub interests: String,
    pub preferred_channels: String,
    pub quiet_start_minute: i32,
    pub quiet_end_minute: i32,
    pub quiet_time_zone: String,
    pub opted_out_touchpoints: String,
    pub account_manager_id: String,
    pub group_id: String,
    pub group_name: String,
    pub group_key_person: bool,
    pub plan_code: String,
    pub network_joined_on: Option<Date>,
    pub status: String,
    pub id_document_type: String,
    pub id_document_number: String,
    pub version: i64,
    pub create_time: DateTimeUtc,
    pub update_time: DateTimeUtc,
    pub erase_time: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
