//! Who is calling, as the gateway identified it in the call's metadata: a partner may only act
//! as itself (the rule is the domain's) and never sees customer ids; history and redemptions
//! record the client by name.

use tonic::metadata::MetadataMap;
use vipcare_runtime::Caller;

use crate::domain::{PartnerRefused, acting_partner};
use crate::error::Error;

/// The channel code the gateway gives partner clients.
const PARTNER_CHANNEL: &str = "partner";

/// Who is calling, as the gateway identified it.
#[derive(Debug, Clone)]
pub struct Calling {
    pub caller: Caller,
}

impl Calling {
    pub fn from(metadata: &MetadataMap) -> Calling {
        Calling {
            caller: Caller::from_metadata(metadata),
        }
    }

    pub fn is_partner(&self) -> bool {
        self.caller.channel == PARTNER_CHANNEL
    }

    /// The partner a benefit call is made through, named by the request's `partner_id`.
    pub fn partner(&self, partner_id: &str) -> Result<Option<String>, Error> {
        let partner_client = self.is_partner().then_some(self.caller.client.as_str());
        acting_partner(partner_client, partner_id).map_err(|refused| match refused {
            PartnerRefused::NotItself => {
                Error::Forbidden("partner_id must be your own client name".into())
            }
            PartnerRefused::Invalid(e) => e.at("partner_id").into(),
        })
    }

    /// Who the history and redemptions record: the client name, or "internal".
    pub fn client(&self) -> String {
        if self.caller.client.is_empty() {
            "internal".to_owned()
        } else {
            self.caller.client.clone()
        }
    }
}
