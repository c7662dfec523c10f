//! sea-orm entities in the shape `sea-orm-cli generate entity` gives them: table shapes only,
//! no behaviour. Queries live beside this folder, one module per aggregate.

pub mod audit_record;
pub mod consumption;
pub mod customer;
pub mod relation;
pub mod service_note;
