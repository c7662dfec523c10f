//! A forwarder to an address known only later: tiering and the reminder each call the other,
//! and one of them must be told where the other listens before it is bound.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Listens on 127.0.0.1 and forwards every connection to the target sent on the returned
/// sender; a connection made before it is known waits for it.
pub async fn to_later() -> (watch::Sender<Option<SocketAddr>>, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("forwarder binds");
    let addr = listener.local_addr().expect("bound address");
    let (target, known) = watch::channel(None);
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let mut known = known.clone();
            tokio::spawn(async move {
                let Ok(target) = known.wait_for(Option::is_some).await.map(|t| *t) else {
                    return;
                };
                let Some(target) = target else { return };
                if let Ok(mut outbound) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (target, addr)
}
