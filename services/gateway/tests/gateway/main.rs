//! The gateway through its real gRPC server on 127.0.0.1:0, in front of the real profile,
//! tiering, reminder and complaint services (and the survey service, for the tests that ask for
//! it), on every backend the run is configured for (embedded always; PostgreSQL and Redis when
//! set).

mod access;
mod caller;
mod complaints;
mod garbage;
mod next_reminders;
mod reminders;
mod routing;
mod satisfaction;
mod streams;
mod support;
mod survey;
mod tiering;
mod view;
mod web;
