//! TCP_NODELAY on the connections to PostgreSQL. sqlx 0.9.0 no longer sets it (sqlx issue
//! 4335; the fix came after that release) and gives no way to reach its socket, so with Nagle's
//! algorithm on, a statement whose message leaves in two writes waits for the server's delayed
//! acknowledgement: 40 ms on Linux, for every bulk write of a few hundred rows. Measured in
//! `vipcare-bench reminders`: a round's history insert took 41 ms against 1.4 ms of execution,
//! and dispatch ran at 1,650 reminders/s instead of 2,500.
//!
//! So when the pool opens a connection, every TCP socket of the process gets TCP_NODELAY (the
//! new connection's among them). That is what the other clients in the process (tonic, hyper,
//! Redis) set on theirs anyway: every socket here carries request and answer, none bulk streams.

/// Sets TCP_NODELAY on each TCP socket the process holds. Best effort: a socket closed
/// meanwhile, or one that is not TCP, is passed over.
#[cfg(target_os = "linux")]
pub(crate) fn on_every_tcp_socket() {
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in fds.flatten() {
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let fd = entry.file_name().to_str().and_then(|n| n.parse().ok());
        if let (true, Some(fd)) = (is_socket, fd) {
            set(fd);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn on_every_tcp_socket() {}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn set(fd: libc::c_int) {
    let on: libc::c_int = 1;
    // SAFETY: setsockopt reads `size_of::<c_int>()` bytes from `on`, which lives across the
    // call. The descriptor is a number only; one closed meanwhile fails with EBADF, and one
    // reused meanwhile is another socket of ours (or not a TCP one, and refused): either way no
    // memory is touched and the result is ignored.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&raw const on).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn a_tcp_socket_opened_without_it_gets_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        assert!(
            !client.nodelay().unwrap(),
            "a new socket starts with Nagle on"
        );
        super::on_every_tcp_socket();
        assert!(client.nodelay().unwrap());
        assert!(server.nodelay().unwrap());
    }
}
