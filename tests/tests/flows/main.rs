//! End-to-end flows: each test starts the real `vipcare up` on every configured backend and
//! drives it through the gateway with the generated clients, as the channel systems do. A
//! failing flow prints its backend and the process log.

mod access;
mod cluster;
mod complaints;
mod crash;
mod customers;
mod household;
mod lifecycle;
mod observe;
mod reminders;
mod replicas;
mod restart;
mod sharing;
mod surveys;
mod tiers;
mod traces;
