//! What `vipcare up --demo` prints once the suite is serving: where the gateway is, every demo
//! key with its client and scopes, and calls that can be pasted into a shell as they are.

use std::fmt::Write;
use std::net::SocketAddr;

use super::DemoKeys;

/// The banner text; `msisdn` is a demo customer's number for the example calls.
pub fn banner(gateway: SocketAddr, keys: &DemoKeys, msisdn: &str) -> String {
    let mut out = String::new();
    let hall = &keys.for_channel("hall").key;
    let hotline = &keys.for_channel("hotline").key;
    let manager = &keys.for_channel("account_manager").key;
    let _ = writeln!(
        out,
        "\nvipcare is up. Gateway: {gateway} (gRPC and gRPC-Web, reflection on)"
    );
    let _ = writeln!(
        out,
        "\nDemo API keys (new on every run; send as 'authorization: Bearer <key>'):"
    );
    for key in keys.iter() {
        let _ = writeln!(
            out,
            "  {:<22} channel={:<16} key={}\n  {:<22} scopes: {}",
            key.client,
            key.channel,
            key.key,
            "",
            key.scopes.join(" ")
        );
    }
    let _ = writeln!(
        out,
        "\nTry (a hall agent's view of a demo customer, masked):"
    );
    let _ = writeln!(
        out,
        "  grpcurl -plaintext -H 'authorization: Bearer {hall}' -d '{{\"msisdn\":\"{msisdn}\"}}' \
         {gateway} vipcare.gateway.v1.ChannelService/GetCustomerView"
    );
    let _ = writeln!(out, "\nThe hotline looking up a caller:");
    let _ = writeln!(
        out,
        "  grpcurl -plaintext -H 'authorization: Bearer {hotline}' -d '{{\"msisdn\":\"{msisdn}\"}}' \
         {gateway} vipcare.gateway.v1.ChannelService/LookupCaller"
    );
    let _ = writeln!(
        out,
        "\nThe hotline's overdue complaints, clocks read as of now:"
    );
    let _ = writeln!(
        out,
        "  grpcurl -plaintext -H 'authorization: Bearer {hotline}' -d '{{\"overdue\":true}}' \
         {gateway} vipcare.complaint.v1.ComplaintService/ListComplaints"
    );
    let _ = writeln!(
        out,
        "\nAn account manager (pii:read: unmasked, and audited):"
    );
    let _ = writeln!(
        out,
        "  grpcurl -plaintext -H 'authorization: Bearer {manager}' -d '{{\"msisdn\":\"{msisdn}\"}}' \
         {gateway} vipcare.profile.v1.ProfileService/GetCustomer"
    );
    let _ = writeln!(
        out,
        "\nDemo clients are not rate-limited. Benchmark the cached (masked) view with the hall key:\n  \
         cargo run --release --bin vipcare-bench -- view --target {gateway} --api-key {hall}"
    );
    let _ = writeln!(out, "\nStop with Ctrl-C.");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hall_call_can_be_pasted() {
        let keys = DemoKeys::generate();
        let text = banner("127.0.0.1:50051".parse().unwrap(), &keys, "13800138000");
        let hall = &keys.for_channel("hall").key;
        assert!(text.contains(&format!(
            "grpcurl -plaintext -H 'authorization: Bearer {hall}' -d '{{\"msisdn\":\"13800138000\"}}' \
             127.0.0.1:50051 vipcare.gateway.v1.ChannelService/GetCustomerView"
        )));
        for key in keys.iter() {
            assert!(text.contains(&key.key), "{} missing", key.client);
        }
    }
}
