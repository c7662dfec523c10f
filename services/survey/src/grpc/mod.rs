//! The survey service's gRPC face. For now only the conversions between the
//! `vipcare.survey.v1` contract and the domain (`convert`); the handlers come next.

pub mod convert;
